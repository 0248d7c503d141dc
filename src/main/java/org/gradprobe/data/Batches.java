package org.gradprobe.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * Mini-batches of a data set: an optional seeded shuffle (Fisher–Yates), pixels scaled to x/255 and
 * normalized as (x − mean)/std (the seed recipe uses 0.5, 0.5). The last batch may be smaller.
 */
public final class Batches implements Iterable<Batches.Batch> {
    /** One mini-batch: input [N, C, H, W] and class indices. */
    public record Batch(Tensor input, int[] targets) {}

    private final Dataset data;
    private final int batchSize;
    private final int[] order;
    private final double mean, std;
    private final DType dtype;
    private final int[] sampleShape;

    public Batches(Dataset data, int batchSize, SplittableRandom shuffle, double mean, double std, DType dtype) {
        this(data, batchSize, shuffle, mean, std, dtype, data.sampleShape());
    }

    /** As above, each sample reshaped to {@code sampleShape} (same element count: 784 for 1×28×28). */
    public Batches(Dataset data, int batchSize, SplittableRandom shuffle, double mean, double std, DType dtype, int[] sampleShape) {
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
        int per = Shapes.numel(data.sampleShape());
        byte[] px = data.pixels();
        Tensor x = Tensor.zeros(dtype, Shapes.prepend(n, sampleShape));
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            int s = order[start + i];
            t[i] = data.label(s);
            for (int j = 0; j < per; j++) x.set(i * per + j, ((px[s * per + j] & 0xff) / 255.0 - mean) / std);
        }
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
