package org.gradprobe.kernels;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits work over a fixed set of threads (default: the available cores). Work started from inside a
 * parallel region runs inline, so nesting never oversubscribes the cores.
 *
 * <p>A region is cut into a few pieces per thread with fixed bounds, and each thread takes the next
 * piece when it is done with its last: when a core is busy with something else (another process,
 * a garbage collection) the others take over its share instead of waiting for it. Which thread runs a piece
 * changes from run to run; what a piece computes does not, so results do not depend on the timing.
 *
 * <p>The calling thread works on its region with helper threads that, between regions, spin for
 * {@link #SPIN_NANOS} before they park: a training step runs dozens of regions, and a pool of parked
 * threads cost about 40 µs a region to wake (0.5 µs spinning; measured). One region runs at a time; a
 * region started by another thread meanwhile runs on its caller alone.
 *
 * <p>Between regions the helpers also take pieces of {@link #background} work (the probe's largest
 * statistics passes), one at a time, so a region never waits long for them; its owner finishes it.
 */
public final class Parallel {
    private static int threads = Runtime.getRuntime().availableProcessors();
    private static Crew crew;
    /** Set while a region runs on the crew; a region started meanwhile by another thread runs on its caller alone. */
    private static final AtomicBoolean busy = new AtomicBoolean();
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
        threads = n;
    }

    /**
     * The helpers for the thread count; called with {@link #busy} held, so a crew replaced after a
     * change of the count has no region in flight when it is told to stop.
     */
    private static synchronized Crew crew() {
        if (crew == null || crew.helpers.length != threads - 1) {
            if (crew != null) crew.stop();
            crew = new Crew(threads - 1);
        }
        return crew;
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
        if (!busy.compareAndSet(false, true)) {
            worker.run();    // another thread's region holds the crew: every piece on this thread
            return;
        }
        try {
            Crew k = crew();
            Region r = new Region(worker, Math.min(c - 1, k.helpers.length), Thread.currentThread());
            k.start(r);
            Throwable own = null;
            try {
                worker.run();
            } catch (Throwable e) {
                own = e;
            }
            r.await();
            Throwable failure = own != null ? own : r.failure;
            if (failure instanceof RuntimeException) throw (RuntimeException) failure;
            if (failure instanceof Error) throw (Error) failure;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            busy.set(false);
        }
    }

    /**
     * How long a thread spins for the next region (or for its helpers to finish) before it parks: in a
     * training step regions follow each other within microseconds, and waking a parked thread took
     * 15-50 µs here (a pool of parked threads cost about 40 µs a region, measured).
     */
    static final long SPIN_NANOS = 200_000;

    /**
     * One parallel region: the body every participant runs, and which helpers are inside it. The owner
     * closes it once its own body returns (every piece is then taken): a helper that comes later (it was
     * parked, or busy with background work) does not join, and the owner waits only for those inside.
     */
    private static final class Region {
        private static final int CLOSED = 1 << 30;
        final Runnable worker;
        final int helpers;
        final Thread owner;
        /** CLOSED once the owner is done, plus the number of helpers inside. */
        private final AtomicInteger state = new AtomicInteger();
        volatile Throwable failure;

        Region(Runnable worker, int helpers, Thread owner) {
            this.worker = worker;
            this.helpers = helpers;
            this.owner = owner;
        }

        void help() {
            for (int s = state.get(); ; s = state.get()) {
                if ((s & CLOSED) != 0) return;
                if (state.compareAndSet(s, s + 1)) break;
            }
            try {
                worker.run();
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (state.decrementAndGet() == CLOSED) LockSupport.unpark(owner);
            }
        }

        /** Closes the region (the owner's body has returned) and waits for the helpers inside it. */
        void await() {
            state.getAndUpdate(s -> s | CLOSED);
            long until = System.nanoTime() + SPIN_NANOS;
            while (state.get() != CLOSED) {
                if (System.nanoTime() < until) Thread.onSpinWait();
                else LockSupport.park(this);
            }
        }
    }

    private static final ConcurrentLinkedQueue<Background> BACKGROUND = new ConcurrentLinkedQueue<>();

    /**
     * Work the helpers take a piece at a time between regions, when they would otherwise wait for the
     * next one (a training step leaves them idle for some of its serial stretches); {@link #finish} runs
     * what they have not taken on the compute threads and waits for what they are running. Pieces run
     * in any order, on any thread.
     */
    public static final class Background {
        private final int pieces;
        private final Chunk body;
        private final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        private volatile Throwable failure;

        private Background(int pieces, Chunk body) {
            this.pieces = pieces;
            this.body = body;
        }

        /** Runs the next piece, if any is left; false when none is. */
        private boolean runOne() {
            int i = next.getAndIncrement();
            if (i >= pieces) return false;
            boolean inside = INSIDE.get();
            INSIDE.set(Boolean.TRUE);
            try {
                body.run(i, i, i + 1);
            } catch (Throwable e) {
                failure = e;
            } finally {
                INSIDE.set(inside);
                done.incrementAndGet();
            }
            return true;
        }

        /** Runs the pieces no helper has taken (over the compute threads) and waits for all; rethrows a piece's failure. */
        public void finish() {
            BACKGROUND.remove(this);
            if (next.get() < pieces) forChunks(threads(), (c, from, to) -> {
                while (runOne()) {
                    // each participant takes pieces until none is left
                }
            });
            while (done.get() < pieces) Thread.onSpinWait();
            Throwable f = failure;
            if (f instanceof RuntimeException) throw (RuntimeException) f;
            if (f instanceof Error) throw (Error) f;
            if (f != null) throw new IllegalStateException(f);
        }
    }

    /**
     * Hands {@code pieces} pieces of work to the helpers' idle time (each runs as body.run(k, k, k + 1));
     * the caller must {@link Background#finish} it before it needs the results.
     */
    public static Background background(int pieces, Chunk body) {
        Background b = new Background(pieces, body);
        BACKGROUND.add(b);
        Crew k;
        synchronized (Parallel.class) {
            k = crew;
        }
        if (k != null) for (Thread t : k.helpers) LockSupport.unpark(t);
        return b;
    }

    /** The threads that help the calling thread with each region; between regions each spins a little, then parks. */
    private static final class Crew {
        final Thread[] helpers;
        volatile Region region;
        volatile boolean stopped;

        Crew(int n) {
            helpers = new Thread[n];
            for (int i = 0; i < n; i++) {
                int index = i;
                helpers[i] = new Thread(() -> loop(index), "gradprobe-worker");
                helpers[i].setDaemon(true);
                helpers[i].start();
            }
        }

        void start(Region r) {
            region = r;
            for (int i = 0; i < r.helpers; i++) LockSupport.unpark(helpers[i]);
        }

        void stop() {
            stopped = true;
            for (Thread t : helpers) LockSupport.unpark(t);
        }

        private void loop(int index) {
            Region seen = null;
            while (!stopped) {
                long until = System.nanoTime() + SPIN_NANOS;
                while (region == seen && !stopped) {
                    // between regions: a piece of background work, if there is any, then look again
                    Background b = BACKGROUND.peek();
                    if (b != null) {
                        if (!b.runOne()) BACKGROUND.remove(b);
                        until = System.nanoTime() + SPIN_NANOS;
                    } else if (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                Region r = region;
                seen = r;
                if (r != null && index < r.helpers) r.help();
            }
        }
    }
}
