/**
 * Data sets and mini-batches: {@link org.gradprobe.data.SampleSet}, what the trainer iterates, and
 * {@link org.gradprobe.data.Batches} (seeded shuffling, the batch tensor); labelled images (the IDX
 * reader for MNIST and Fashion-MNIST, the CIFAR-10 binary reader, locating Fashion-MNIST: a folder,
 * Debian's package, or the subset shipped inside gradprobe; synthetic images; normalization) and
 * sequences (the adding problem, character text). Readers check magic numbers, sizes and counts and
 * name the file.
 */
package org.gradprobe.data;
