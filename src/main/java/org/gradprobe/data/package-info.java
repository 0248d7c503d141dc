/**
 * Data sets and mini-batches: the IDX reader (MNIST, Fashion-MNIST), the CIFAR-10 binary reader,
 * locating Fashion-MNIST (a folder, Debian's package, or the subset shipped inside gradprobe), seeded
 * shuffling and normalization. Readers check magic numbers, sizes and counts and name the file.
 */
package org.gradprobe.data;
