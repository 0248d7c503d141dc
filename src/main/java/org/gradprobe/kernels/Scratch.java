package org.gradprobe.kernels;

/**
 * Per-thread scratch arrays that live across calls, for an op's temporaries that never leave it (a
 * product before it is rearranged, a gradient in another layout). Reusing them spares the allocation
 * and the zeroing of tens of megabytes a training step. Contents are undefined on return; a slot must
 * not be used twice at once on one thread.
 */
public final class Scratch {
    /** How many slots there are; a caller owns a slot number by convention (see its users). */
    public static final int SLOTS = 4;

    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);
    private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[SLOTS][0]);

    private Scratch() {}

    /** An array of at least {@code n} floats for {@code slot} (0 ≤ slot < SLOTS). */
    public static float[] floats(int slot, int n) {
        float[][] s = FLOATS.get();
        if (s[slot].length < n) s[slot] = new float[n];
        return s[slot];
    }

    /** An array of at least {@code n} doubles for {@code slot} (0 ≤ slot < SLOTS). */
    public static double[] doubles(int slot, int n) {
        double[][] s = DOUBLES.get();
        if (s[slot].length < n) s[slot] = new double[n];
        return s[slot];
    }
}
