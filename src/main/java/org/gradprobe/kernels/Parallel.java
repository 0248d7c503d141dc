package org.gradprobe.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits work over a fixed set of threads (default: the available cores). Work started from inside a
 * parallel region runs inline, so nesting never oversubscribes the cores.
 *
 * <p>A region is cut into a few pieces per thread with fixed bounds, and each thread takes the next
 * piece when it is done with its last: when a core is busy with something else (the probe's thread,
 * another process) the others take over its share instead of waiting for it. Which thread runs a piece
 * changes from run to run; what a piece computes does not, so results do not depend on the timing.
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

    /** Multiply-adds below which a product runs on one thread (about 50 µs of work: the hand-off costs some tens). */
    public static final long MIN_MULTIPLY_ADDS = 1 << 20;

    /** Pieces a region is cut into per thread (more balance against more hand-offs and smaller pieces). */
    static final int PIECES_PER_THREAD = 4;

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

    /** How many threads {@link #forChunks} will use for {@code n} items (1: it runs inline, as one chunk). */
    public static int threadsFor(int n) {
        return INSIDE.get() ? 1 : Math.max(1, Math.min(threads(), n));
    }

    /**
     * Runs {@code body} over [0, n) cut into contiguous chunks (a few per thread when
     * {@link #threadsFor(int)} is more than one), and waits for all. Chunk bounds depend on n and the thread
     * count only; chunks run in any order, on any thread.
     */
    public static void forChunks(int n, Chunk body) {
        forChunks(n, 1, body);
    }

    /**
     * As {@link #forChunks(int, Chunk)}, with at least {@code grain} items a chunk: cheap per-item work
     * (an elementwise op) stays on one thread until there is enough of it to pay for the hand-off.
     */
    public static void forChunks(int n, int grain, Chunk body) {
        int units = Math.max(1, n / Math.max(1, grain));
        int c = threadsFor(units);
        if (c == 1) {
            body.run(0, 0, n);
            return;
        }
        int pieces = Math.max(c, Math.min(c * PIECES_PER_THREAD, units));
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            INSIDE.set(Boolean.TRUE);
            try {
                for (int i = next.getAndIncrement(); i < pieces; i = next.getAndIncrement()) {
                    body.run(i, (int) ((long) n * i / pieces), (int) ((long) n * (i + 1) / pieces));
                }
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
        };
        runRegion(c, worker);
    }

    private static void runRegion(int c, Runnable worker) {
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 1; i < c; i++) futures.add(pool().submit(worker));
        worker.run();
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
