package org.gradprobe.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * Mini-batches of a {@link SampleSet}: an optional seeded shuffle (Fisher–Yates) of the samples, each
 * batch a tensor of the model's input shape that the set fills (images: pixels scaled to x/255 and
 * normalized as (x − mean)/std; the seed recipe uses 0.5, 0.5) and its targets. The last batch may be
 * smaller.
 */
public final class Batches implements Iterable<Batches.Batch> {
    /** One mini-batch: input [N, ...sample shape] and its targets (N samples: images or sequences). */
    public record Batch(Tensor input, Targets targets) {
        /** N, the samples in the batch (sequences, not their tokens). */
        public int samples() {
            return input.dim(0);
        }

        /** The class indices, one a sample (image data); an error for targets of another kind. */
        public int[] labels() {
            return targets.labels("a batch's labels");
        }
    }

    private final SampleSet data;
    private final int batchSize;
    private final int[] order;
    private final double mean, std;
    private final DType dtype;
    private final int[] sampleShape;

    public Batches(SampleSet data, int batchSize, SplittableRandom shuffle, double mean, double std, DType dtype) {
        this(data, batchSize, shuffle, mean, std, dtype, data.sampleShape());
    }

    /**
     * As above, each sample reshaped to {@code sampleShape} (same element count: 784 for 1×28×28, so an
     * image can be fed as 28 rows of 28 pixels, [28, 28]).
     */
    public Batches(SampleSet data, int batchSize, SplittableRandom shuffle, double mean, double std, DType dtype, int[] sampleShape) {
        if (Shapes.numel(sampleShape) != Shapes.numel(data.sampleShape())) {
            throw new DataException(data.name() + ": samples of " + Shapes.dims(data.sampleShape()) + " do not fit model input "
                    + Shapes.dims(sampleShape));
        }
        this.sampleShape = sampleShape.clone();
        if (batchSize < 1) throw new IllegalArgumentException("invalid batch size: " + batchSize);
        if (!(std > 0)) throw new IllegalArgumentException("invalid normalization std: " + std);
        this.data = data;
        this.batchSize = batchSize;
        this.mean = mean;
        this.std = std;
        this.dtype = dtype;
        order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle != null) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
    }

    public int count() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    /** Batch {@code b} (0-based). */
    public Batch get(int b) {
        int start = b * batchSize, n = Math.min(batchSize, data.size() - start);
        Tensor x = Tensor.zeros(dtype, Shapes.prepend(n, sampleShape));
        Targets t = data.fill(Arrays.copyOfRange(order, start, start + n), x, mean, std);
        return new Batch(x, t);
    }

    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            int b = 0;

            public boolean hasNext() { return b < count(); }

            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                return get(b++);
            }
        };
    }
}
