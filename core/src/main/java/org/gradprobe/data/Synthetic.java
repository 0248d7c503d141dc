package org.gradprobe.data;

import java.util.SplittableRandom;
import org.gradprobe.tensor.Shapes;

/**
 * A synthetic data set for diagnosing a network of any input shape: random bytes with a learnable
 * rule for the label (which class's block of pixels is brightest), so that a healthy network can lower
 * its loss.
 */
public final class Synthetic {
    private Synthetic() {}

    public static Dataset make(int[] sampleShape, int count, int classes, long seed) {
        int per = Shapes.numel(sampleShape);
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[count * per];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int label = r.nextInt(classes);
            labels[i] = label;
            for (int j = 0; j < per; j++) {
                int block = (int) ((long) j * classes / per);
                int v = r.nextInt(160) + (block == label ? 95 : 0);
                px[i * per + j] = (byte) v;
            }
        }
        return new Dataset("synthetic", px, labels, sampleShape, classes, null);
    }
}
