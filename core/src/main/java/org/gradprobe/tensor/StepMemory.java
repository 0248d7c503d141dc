package org.gradprobe.tensor;

import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.gradprobe.kernels.Storage;

/**
 * Reuses the large arrays of a training step (activations, their gradients, unfolded inputs) in the
 * steps after it, instead of allocating (and zeroing, and collecting) tens of megabytes every step.
 *
 * <p>While a step is open on a thread ({@link #open}), arrays of at least {@link #MIN_ELEMENTS}
 * elements that the engine asks for on that thread ({@link Tensor#zeros}, {@link Tensor#empty}, the
 * ops' own buffers) are taken from those of earlier steps that are free, when one of the same type and
 * length is. An array handed out in one step is free again from the next step opened: nothing may
 * read a step's tensors once the next has begun. Arrays asked for on other threads, or with no step
 * open, are allocated as usual.
 */
public final class StepMemory {
    /** Arrays shorter than this are allocated as usual (the JVM does that cheaply). */
    public static final int MIN_ELEMENTS = 1 << 14;

    private static final ThreadLocal<StepMemory> OPEN = new ThreadLocal<>();

    /** Free arrays by type and length. */
    private final Map<Key, ArrayDeque<Object>> free = new HashMap<>();
    /** Arrays handed out in the open (or last) step. */
    private final List<Object> thisStep = new ArrayList<>();
    private boolean open;

    /** Closes the step it opened on the thread. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens a step on the calling thread: the arrays of the step before become free. Not reentrant:
     * one step at a time, on one thread.
     */
    public Scope open() {
        if (open) throw new IllegalStateException("a step is already open on this memory");
        // arrays free since the last step and not taken in it (a shape that did not come back) are let go
        free.clear();
        release(thisStep);
        StepMemory outer = OPEN.get();
        OPEN.set(this);
        open = true;
        return () -> {
            open = false;
            if (outer == null) OPEN.remove();
            else OPEN.set(outer);
        };
    }

    private void release(List<Object> arrays) {
        for (Object a : arrays) free.computeIfAbsent(new Key(a.getClass(), Array.getLength(a)), k -> new ArrayDeque<>()).push(a);
        arrays.clear();
    }

    /**
     * Storage of {@code n} elements of {@code dtype}, zeroed when {@code zeroed}; otherwise its contents are whatever
     * a step before left in it, for a caller that writes every element. (With assertions on, as in the
     * tests, such an array is filled with NaN first, so an element left unwritten shows.)
     */
    public static Storage storage(DType dtype, int n, boolean zeroed) {
        return dtype == DType.FLOAT32 ? new Storage.Floats(floats(n, zeroed)) : new Storage.Doubles(doubles(n, zeroed));
    }

    static float[] floats(int n, boolean zeroed) {
        return array(float[].class, n, zeroed, float[]::new, a -> Arrays.fill(a, 0f), a -> Arrays.fill(a, Float.NaN));
    }

    static double[] doubles(int n, boolean zeroed) {
        return array(double[].class, n, zeroed, double[]::new, a -> Arrays.fill(a, 0.0), a -> Arrays.fill(a, Double.NaN));
    }

    /** An int array of length {@code n}, as {@link #storage} (poisoned with -1). */
    public static int[] ints(int n, boolean zeroed) {
        return array(int[].class, n, zeroed, int[]::new, a -> Arrays.fill(a, 0), a -> Arrays.fill(a, -1));
    }

    private record Key(Class<?> type, int length) {}

    /** From the open step's memory when there is one on this thread and n is large; a new array otherwise. */
    private static <A> A array(Class<A> type, int n, boolean zeroed, IntFunction<A> make, Consumer<A> clear, Consumer<A> poison) {
        StepMemory m = n >= MIN_ELEMENTS ? OPEN.get() : null;
        if (m == null) return make.apply(n);
        ArrayDeque<Object> same = m.free.get(new Key(type, n));
        A a = same == null ? null : type.cast(same.poll());
        if (a == null) a = make.apply(n);
        else if (zeroed) clear.accept(a);
        else assert poisoned(poison, a);
        m.thisStep.add(a);
        return a;
    }

    private static <A> boolean poisoned(Consumer<A> poison, A a) {
        poison.accept(a);
        return true;
    }
}
