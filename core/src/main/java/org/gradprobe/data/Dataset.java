package org.gradprobe.data;

import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * Labelled images held as raw bytes (0–255), [count, C, H, W] row-major, with class labels; converted
 * to normalized tensors batch by batch ({@link #fill}: (x/255 − mean)/std, one class index an image).
 */
public final class Dataset implements SampleSet {
    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int[] sampleShape;
    private final int classes;
    private final String[] classNames;

    public Dataset(String name, byte[] pixels, int[] labels, int[] sampleShape, int classes, String[] classNames) {
        int per = Shapes.numel(sampleShape);
        if (labels.length == 0) throw new DataException(name + ": no samples (an empty data set)");
        if (pixels.length != (long) per * labels.length) {
            throw new DataException(name + ": " + pixels.length + " pixel bytes for " + labels.length + " samples of "
                    + Shapes.dims(sampleShape));
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new DataException(name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + classes + ")");
            }
        }
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.sampleShape = sampleShape.clone();
        this.classes = classes;
        this.classNames = classNames;
    }

    @Override public String name() { return name; }
    @Override public int size() { return labels.length; }
    @Override public int[] sampleShape() { return sampleShape.clone(); }
    @Override public int classes() { return classes; }
    public int label(int i) { return labels[i]; }
    @Override public String className(int c) { return classNames != null && c < classNames.length ? classNames[c] : Integer.toString(c); }
    @Override public String unit() { return "images"; }
    /** The pixel bytes (the labels are a small fraction more). */
    @Override public long bytes() { return pixels.length; }

    @Override
    public Targets fill(int[] samples, Tensor input, double mean, double std) {
        int per = Shapes.numel(sampleShape);
        int[] t = new int[samples.length];
        for (int i = 0; i < samples.length; i++) {
            int s = samples[i];
            t[i] = labels[s];
            for (int j = 0; j < per; j++) input.set(i * per + j, ((pixels[s * per + j] & 0xff) / 255.0 - mean) / std);
        }
        return Targets.classes(t);
    }

    /** Raw pixel byte {@code j} of sample {@code i} (0–255). */
    public int pixel(int i, int j) {
        return pixels[i * Shapes.numel(sampleShape) + j] & 0xff;
    }

    /** The first {@code n} samples (all if n ≥ size). */
    @Override
    public Dataset head(int n) {
        if (n >= size()) return this;
        int per = Shapes.numel(sampleShape);
        byte[] p = java.util.Arrays.copyOf(pixels, n * per);
        int[] l = java.util.Arrays.copyOf(labels, n);
        return new Dataset(name + " (first " + n + ")", p, l, sampleShape, classes, classNames);
    }
}
