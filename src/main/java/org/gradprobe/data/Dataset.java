package org.gradprobe.data;

import org.gradprobe.tensor.Shapes;

/**
 * Labelled images held as raw bytes (0–255), [count, C, H, W] row-major, with class labels; converted
 * to normalized tensors batch by batch.
 */
public final class Dataset {
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

    public String name() { return name; }
    public int size() { return labels.length; }
    public int[] sampleShape() { return sampleShape.clone(); }
    public int classes() { return classes; }
    public int label(int i) { return labels[i]; }
    public String className(int c) { return classNames != null && c < classNames.length ? classNames[c] : Integer.toString(c); }

    /** Raw pixel byte {@code j} of sample {@code i} (0–255). */
    public int pixel(int i, int j) {
        return pixels[i * Shapes.numel(sampleShape) + j] & 0xff;
    }

    /** The first {@code n} samples (all if n ≥ size). */
    public Dataset head(int n) {
        if (n >= size()) return this;
        int per = Shapes.numel(sampleShape);
        byte[] p = java.util.Arrays.copyOf(pixels, n * per);
        int[] l = java.util.Arrays.copyOf(labels, n);
        return new Dataset(name + " (first " + n + ")", p, l, sampleShape, classes, classNames);
    }

    byte[] pixels() { return pixels; }
}
