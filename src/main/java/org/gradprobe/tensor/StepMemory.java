package org.gradprobe.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reuses the large arrays of a training step (activations, their gradients, unfolded inputs) in the
 * steps after it, instead of allocating (and zeroing, and collecting) tens of megabytes every step.
 *
 * <p>While a step is open on a thread ({@link #open}), arrays of at least {@link #MIN_ELEMENTS}
 * elements that the engine asks for on that thread ({@link Tensor#zeros}, {@link Tensor#empty}, the
 * ops' own buffers) are taken from those of earlier steps that are free, when one of the same type and
 * length is. An array handed out in step {@code s} is free again in step {@code s + 1}, or in step
 * {@code s + 2} when step {@code s + 1} was opened with {@code keepLast} (someone, such as the probe's
 * thread, still reads step {@code s}'s tensors during step {@code s + 1}). Arrays asked for on other
 * threads, or with no step open, are allocated as usual.
 */
public final class StepMemory {
    /** Arrays shorter than this are allocated as usual (the JVM does that cheaply). */
    public static final int MIN_ELEMENTS = 1 << 14;

    private static final ThreadLocal<StepMemory> OPEN = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<double[]>> freeDoubles = new HashMap<>();
    private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    /** Arrays handed out in the open (or last) step, and those of the step before it kept from reuse. */
    private List<Object> thisStep = new ArrayList<>(), kept = new ArrayList<>();
    private boolean open;

    /** Closes the step it opened on the thread. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens the next step on the calling thread. The arrays kept through the last step become free, and
     * so do the last step's own unless {@code keepLast}: then they are kept through this one. Not
     * reentrant: one step at a time, on one thread.
     */
    public Scope open(boolean keepLast) {
        if (open) throw new IllegalStateException("a step is already open on this memory");
        // arrays free since the last step and not taken in it (a shape that did not come back) are let go
        freeFloats.clear();
        freeDoubles.clear();
        freeInts.clear();
        free(kept);
        if (keepLast) {
            List<Object> t = kept;
            kept = thisStep;
            thisStep = t;
        } else {
            free(thisStep);
        }
        StepMemory outer = OPEN.get();
        OPEN.set(this);
        open = true;
        return () -> {
            open = false;
            if (outer == null) OPEN.remove();
            else OPEN.set(outer);
        };
    }

    private void free(List<Object> arrays) {
        for (Object a : arrays) {
            if (a instanceof float[] f) freeFloats.computeIfAbsent(f.length, k -> new ArrayDeque<>()).push(f);
            else if (a instanceof double[] d) freeDoubles.computeIfAbsent(d.length, k -> new ArrayDeque<>()).push(d);
            else freeInts.computeIfAbsent(((int[]) a).length, k -> new ArrayDeque<>()).push((int[]) a);
        }
        arrays.clear();
    }

    /** A zeroed float array of length {@code n}: from the open step's memory when there is one and n is large. */
    public static float[] floats(int n) {
        return floats(n, true);
    }

    /**
     * A float array of length {@code n}, zeroed when {@code zeroed}; otherwise its contents are whatever
     * a step before left in it, for a caller that writes every element. (With assertions on, as in the
     * tests, such an array is filled with NaN first, so an element left unwritten shows.)
     */
    public static float[] floats(int n, boolean zeroed) {
        StepMemory m = n >= MIN_ELEMENTS ? OPEN.get() : null;
        if (m == null) return new float[n];
        ArrayDeque<float[]> free = m.freeFloats.get(n);
        float[] a = free == null ? null : free.poll();
        if (a == null) a = new float[n];
        else if (zeroed) Arrays.fill(a, 0f);
        else assert poison(a);
        m.thisStep.add(a);
        return a;
    }

    /** A zeroed double array of length {@code n}, as {@link #floats(int)}. */
    public static double[] doubles(int n) {
        return doubles(n, true);
    }

    /** A double array of length {@code n}, as {@link #floats(int, boolean)}. */
    public static double[] doubles(int n, boolean zeroed) {
        StepMemory m = n >= MIN_ELEMENTS ? OPEN.get() : null;
        if (m == null) return new double[n];
        ArrayDeque<double[]> free = m.freeDoubles.get(n);
        double[] a = free == null ? null : free.poll();
        if (a == null) a = new double[n];
        else if (zeroed) Arrays.fill(a, 0.0);
        else assert poison(a);
        m.thisStep.add(a);
        return a;
    }

    /** An int array of length {@code n}, as {@link #floats(int, boolean)} (poisoned with -1). */
    public static int[] ints(int n, boolean zeroed) {
        StepMemory m = n >= MIN_ELEMENTS ? OPEN.get() : null;
        if (m == null) return new int[n];
        ArrayDeque<int[]> free = m.freeInts.get(n);
        int[] a = free == null ? null : free.poll();
        if (a == null) a = new int[n];
        else if (zeroed) Arrays.fill(a, 0);
        else assert poison(a);
        m.thisStep.add(a);
        return a;
    }

    private static boolean poison(float[] a) {
        Arrays.fill(a, Float.NaN);
        return true;
    }

    private static boolean poison(double[] a) {
        Arrays.fill(a, Double.NaN);
        return true;
    }

    private static boolean poison(int[] a) {
        Arrays.fill(a, -1);
        return true;
    }
}
