package org.gradprobe.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.gradprobe.io.Heap;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.Tensor;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber 1997, "Long short-term memory", experiment 4; in the
 * form of Le, Jaitly &amp; Hinton 2015, "A simple way to initialize recurrent networks of rectified
 * linear units"): a sample is a sequence of T steps of two features, [T, 2]. Feature 0 is a value
 * uniform in [0, 1); feature 1 a marker, 1 at exactly two steps, one drawn uniformly from the first half
 * [0, ⌊T/2⌋) and one from the second half [⌊T/2⌋, T), 0 elsewhere. The target is the sum of the two
 * marked values, one value a sample ([1]: a regression, trained with mse).
 *
 * <p>Always answering 1, the targets' mean, scores an mse of 1/6 ≈ 0.167 (the variance of the sum of two
 * uniform values): the baseline. To beat it a network must carry the first marked value across up to T
 * steps, which is what makes the task a test of gradients through time.
 *
 * <p>Generated, not read: the training set ({@value #TRAIN} sequences) from the run's seed, the test
 * set ({@value #TEST} sequences) always from seed 0, so that runs of any seed are measured on the same
 * test set. Values are kept as float32 (4·T bytes a sequence) and the markers as two step indices.
 */
public final class AddingProblem implements SampleSet {
    /** Training sequences. */
    public static final int TRAIN = 10_000;
    /** Test sequences. */
    public static final int TEST = 1_000;
    /** T when the model's input does not say: Le et al.'s shortest setting. */
    public static final int DEFAULT_STEPS = 100;

    private final String name;
    private final int steps;
    private final float[] values;
    private final int[] first, second;

    private AddingProblem(String name, int steps, float[] values, int[] first, int[] second) {
        this.name = name;
        this.steps = steps;
        this.values = values;
        this.first = first;
        this.second = second;
    }

    /** The training set of {@code seed} and the test set (seed 0), of sequences of {@code steps} steps. */
    public static Split split(int steps, long seed) {
        AddingProblem train = generate("train", steps, TRAIN, Rand.stream(seed, "adding-train"));
        AddingProblem test = generate("test", steps, TEST, Rand.stream(0, "adding-test"));
        return new Split(train, test, "the adding problem at T = " + steps + ", generated: the training set from seed " + seed + ", the test set from seed 0");
    }

    /** {@code count} sequences of {@code steps} steps drawn from {@code rng}: per sequence its T values, then its two marked steps. */
    public static AddingProblem generate(String split, int steps, int count, SplittableRandom rng) {
        if (steps < 2) throw new DataException("adding problem: T = " + steps + " steps, expected at least 2 (one marked step in each half)");
        long bytes = 4L * steps * count;
        if (bytes > Heap.MAX_ARRAY) {
            throw new DataException("adding problem: " + count + " sequences of T = " + steps + " steps hold " + Heap.bytes(bytes)
                    + " of values, more than gradprobe holds in one array (" + Heap.bytes(Heap.MAX_ARRAY) + ")");
        }
        String shortfall = Heap.shortfall(bytes);
        if (shortfall != null) throw new DataException("adding problem: " + count + " sequences of T = " + steps + " steps " + shortfall);
        float[] values = new float[steps * count];
        int[] first = new int[count], second = new int[count];
        int half = steps / 2;
        for (int i = 0; i < count; i++) {
            for (int t = 0; t < steps; t++) values[i * steps + t] = (float) rng.nextDouble();
            first[i] = rng.nextInt(half);
            second[i] = half + rng.nextInt(steps - half);
        }
        return new AddingProblem("adding problem (T=" + steps + ", " + split + ")", steps, values, first, second);
    }

    /** Steps a sequence. */
    public int steps() { return steps; }

    @Override public String name() { return name; }
    @Override public int size() { return first.length; }
    @Override public int[] sampleShape() { return new int[] {steps, 2}; }
    @Override public int classes() { return 0; }
    @Override public String unit() { return "sequences"; }
    @Override public long bytes() { return 4L * values.length + 8L * first.length; }

    @Override
    public AddingProblem head(int n) {
        if (n >= size()) return this;
        return new AddingProblem(name + " (first " + n + ")", steps, Arrays.copyOf(values, n * steps), Arrays.copyOf(first, n),
                Arrays.copyOf(second, n));
    }

    /** Inputs [N, T, 2] (value, marker) a step; targets [N, 1], the sum of the two marked values. */
    @Override
    public Targets fill(int[] samples, Tensor input, double mean, double std) {
        Tensor y = Tensor.zeros(input.dtype, samples.length, 1);
        for (int i = 0; i < samples.length; i++) {
            int s = samples[i], row = i * 2 * steps;
            for (int t = 0; t < steps; t++) {
                input.set(row + 2 * t, values[s * steps + t]);
                input.set(row + 2 * t + 1, 0);
            }
            input.set(row + 2 * first[s] + 1, 1);
            input.set(row + 2 * second[s] + 1, 1);
            y.set(i, (double) values[s * steps + first[s]] + values[s * steps + second[s]]);
        }
        return Targets.values(y);
    }
}
