package org.gradprobe.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Splits work over a fixed set of threads (default: the available cores). Work started from inside a
 * parallel region runs inline, so nesting never oversubscribes the cores.
 */
public final class Parallel {
    private static int threads = Runtime.getRuntime().availableProcessors();
    private static ExecutorService pool;
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private Parallel() {}

    /**
     * Elements of simple per-element work (a copy, an unfold) below which handing a chunk to another
     * thread costs more than it saves (the hand-off is some tens of microseconds).
     */
    public static final int MIN_WORK = 1 << 15;

    /** The body of one chunk: chunk index, and the half-open range [from, to). */
    @FunctionalInterface
    public interface Chunk {
        void run(int chunk, int from, int to);
    }

    public static synchronized int threads() {
        return threads;
    }

    /** Sets the number of threads (at least 1); takes effect for the next parallel region. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("invalid thread count: " + n);
        if (n != threads && pool != null) {
            pool.shutdown();
            pool = null;
        }
        threads = n;
    }

    private static synchronized ExecutorService pool() {
        if (pool == null) {
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "gradprobe-worker");
                t.setDaemon(true);
                return t;
            };
            pool = Executors.newFixedThreadPool(threads, tf);
        }
        return pool;
    }

    /** How many chunks {@link #forChunks} will use for {@code n} items. */
    public static int chunks(int n) {
        return INSIDE.get() ? 1 : Math.max(1, Math.min(threads(), n));
    }

    /** Runs {@code body} over [0, n) split into {@link #chunks(int)} contiguous chunks, and waits for all. */
    public static void forChunks(int n, Chunk body) {
        forChunks(n, 1, body);
    }

    /**
     * As {@link #forChunks(int, Chunk)}, with at least {@code grain} items a chunk: cheap per-item work
     * (an elementwise op) stays on one thread until there is enough of it to pay for the hand-off.
     */
    public static void forChunks(int n, int grain, Chunk body) {
        int c = chunks(Math.max(1, n / Math.max(1, grain)));
        if (c == 1) {
            body.run(0, 0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 1; i < c; i++) {
            int ci = i, from = (int) ((long) n * i / c), to = (int) ((long) n * (i + 1) / c);
            futures.add(pool().submit(() -> {
                INSIDE.set(Boolean.TRUE);
                try {
                    body.run(ci, from, to);
                } finally {
                    INSIDE.set(Boolean.FALSE);
                }
            }));
        }
        INSIDE.set(Boolean.TRUE);
        try {
            body.run(0, 0, n / c);
        } finally {
            INSIDE.set(Boolean.FALSE);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException) throw (RuntimeException) cause;
                if (cause instanceof Error) throw (Error) cause;
                throw new IllegalStateException(cause);
            }
        }
    }
}
