package org.gradprobe.kernels;

import java.util.Arrays;

/**
 * The elements of a tensor: a float32 or a float64 array. The element type is data: an op hands
 * storage to {@link Kernels}, which dispatches on it once; nothing above the kernels branches on it.
 * Element access by index ({@link #get}, {@link #set}) reads and writes through double, exactly for
 * both types (a float widens exactly; a double written to float32 storage is rounded, as a cast does).
 */
public sealed interface Storage permits Storage.Floats, Storage.Doubles {

    /** float32 elements. */
    record Floats(float[] a) implements Storage {
        public int length() { return a.length; }
        public boolean isFloat32() { return true; }
        public double get(int i) { return a[i]; }
        public void set(int i, double v) { a[i] = (float) v; }
        public Object array() { return a; }
        public Storage copy() { return new Floats(a.clone()); }
        public Storage allocate(int n) { return new Floats(new float[n]); }
        public void fill(int from, int to, double v) { Arrays.fill(a, from, to, (float) v); }
    }

    /** float64 elements. */
    record Doubles(double[] a) implements Storage {
        public int length() { return a.length; }
        public boolean isFloat32() { return false; }
        public double get(int i) { return a[i]; }
        public void set(int i, double v) { a[i] = v; }
        public Object array() { return a; }
        public Storage copy() { return new Doubles(a.clone()); }
        public Storage allocate(int n) { return new Doubles(new double[n]); }
        public void fill(int from, int to, double v) { Arrays.fill(a, from, to, v); }
    }

    /** Storage of float32 ({@code float32} true) or float64 holding {@code values} (float64 takes the array, float32 rounds a copy). */
    static Storage of(boolean float32, double[] values) {
        if (!float32) return new Doubles(values);
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return new Floats(f);
    }

    /** Zeroed storage of {@code n} elements, float32 or float64. */
    static Storage zeros(boolean float32, int n) {
        return float32 ? new Floats(new float[n]) : new Doubles(new double[n]);
    }

    int length();

    boolean isFloat32();

    double get(int i);

    void set(int i, double v);

    /** The array itself (float[] or double[]), for type-free copies ({@link System#arraycopy}) and identity. */
    Object array();

    /** A copy of the elements. */
    Storage copy();

    /** New zeroed storage of {@code n} elements of this type. */
    Storage allocate(int n);

    /** Sets [from, to) to v (rounded to float32 for float32 storage). */
    void fill(int from, int to, double v);

    /** The elements as float64: the array itself for float64 (do not modify), a widened copy for float32. */
    default double[] toDoubles() {
        if (this instanceof Doubles d) return d.a();
        float[] f = ((Floats) this).a();
        double[] out = new double[f.length];
        for (int i = 0; i < out.length; i++) out[i] = f[i];
        return out;
    }
}
