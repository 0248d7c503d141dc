package org.gradprobe.data;

import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.Tensor;

/**
 * A set of samples to train or evaluate on, each an input of {@link #sampleShape()} and a target:
 * labelled images ({@link Dataset}), the adding problem ({@link AddingProblem}), character sequences
 * of a text ({@link CharText}). {@link Batches} cuts any of them into shuffled mini-batches, and the
 * trainer, the evaluation and the command line see only this interface.
 *
 * <p>Why this split: what the loop needs of a data set is how many samples there are, their shape,
 * and a batch of given samples as tensors; how the inputs are stored (image bytes, generated floats,
 * the characters of a text) and what the targets are (a class a sample, a class a step, a value) is
 * the set's own business. So {@link Batches} owns the order (the seeded shuffle) and the batch tensor
 * (dtype, and the model's input shape when it differs, e.g. [28, 28] for a 1×28×28 image fed as 28
 * rows), and the set fills it ({@link #fill}): images do exactly the arithmetic they always did.
 */
public interface SampleSet {
    /** Training and test sets and where they came from. */
    record Split(SampleSet train, SampleSet test, String source) {}

    /** What the set is, for messages ("train", "adding problem (T=100, train)"). */
    String name();

    /** Number of samples. */
    int size();

    /** One sample's input as the set holds it: [C, H, W] for images, [T, 2] for the adding problem, [T] for text. */
    int[] sampleShape();

    /** How many classes its targets index (a sample's, or a step's); 0 when its targets are values, not classes. */
    int classes();

    /** A class's name for reports (the class's number unless the set has names). */
    default String className(int c) {
        return Integer.toString(c);
    }

    /** What one sample is called in progress lines and the run record ("images", "sequences"). */
    default String unit() {
        return "samples";
    }

    /** Bytes the set holds on the heap (for the memory check before a run). */
    long bytes();

    /** The first {@code n} samples (all if n ≥ size). */
    SampleSet head(int n);

    /**
     * Writes the inputs of {@code samples} (in that order) into {@code input}, [samples.length, ...]
     * row-major with {@link #sampleShape()}'s element count a row, and returns their targets: class
     * indices [N] or [N, T], or values [N, ...] in {@code input}'s dtype. {@code mean} and {@code std}
     * normalize image bytes as (x/255 − mean)/std; sets whose inputs are not pixels ignore them.
     * Modifies {@code input}.
     */
    Targets fill(int[] samples, Tensor input, double mean, double std);
}
