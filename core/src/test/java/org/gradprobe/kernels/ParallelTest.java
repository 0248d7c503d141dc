package org.gradprobe.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @AfterEach
    void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Chunk index → [from, to) of one run, checking that every item is visited exactly once. */
    private static Map<Integer, String> run(int n, int grain, AtomicIntegerArray visits) {
        Map<Integer, String> bounds = new ConcurrentHashMap<>();
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            bounds.put(chunk, from + ".." + to);
            for (int i = from; i < to; i++) visits.incrementAndGet(i);
        });
        return new TreeMap<>(bounds);
    }

    @Test
    void everyItemOnceInChunksWhoseBoundsDoNotDependOnTiming() {
        Parallel.setThreads(3);
        int n = 1000;
        AtomicIntegerArray visits = new AtomicIntegerArray(n);
        Map<Integer, String> first = run(n, 7, visits);
        for (int i = 0; i < n; i++) assertEquals(1, visits.get(i), "item " + i);
        assertEquals(3 * Parallel.PIECES_PER_THREAD, first.size(), "a few chunks per thread");
        for (int rep = 0; rep < 20; rep++) assertEquals(first, run(n, 7, new AtomicIntegerArray(n)));
        // a grain larger than the work: one chunk, on the calling thread
        assertEquals(Map.of(0, "0..1000"), run(n, 2000, new AtomicIntegerArray(n)));
    }

    @Test
    void aStalledThreadsShareIsTakenOverByTheOthers() {
        Parallel.setThreads(2);
        // the first chunk to start sleeps; the other thread must take all the rest meanwhile
        Set<String> threadsOfOtherChunks = ConcurrentHashMap.newKeySet();
        String[] sleeperThread = {null};
        int[] sleeper = {-1};
        Object lock = new Object();
        java.util.concurrent.atomic.AtomicInteger others = new java.util.concurrent.atomic.AtomicInteger();
        Parallel.forChunks(8, (chunk, from, to) -> {
            boolean sleep;
            synchronized (lock) {
                sleep = sleeper[0] < 0;
                if (sleep) {
                    sleeper[0] = chunk;
                    sleeperThread[0] = Thread.currentThread().getName() + "@" + Thread.currentThread().getId();
                }
            }
            if (sleep) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                threadsOfOtherChunks.add(Thread.currentThread().getName() + "@" + Thread.currentThread().getId());
                others.incrementAndGet();
            }
        });
        assertEquals(7, others.get(), "8 chunks for 8 items on 2 threads");
        assertFalse(threadsOfOtherChunks.contains(sleeperThread[0]), "the sleeping thread ran none of the others: the free one took them all");
        assertTrue(sleeper[0] >= 0);
    }

    @Test
    void aFailingPieceReachesTheCallerAndTheNextRegionsStillRun() {
        Parallel.setThreads(2);
        for (int round = 0; round < 50; round++) {
            int bad = round % 8;    // on whichever thread takes that piece
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Parallel.forChunks(8, (chunk, from, to) -> {
                        if (chunk == bad) throw new IllegalStateException("piece " + chunk);
                    }));
            assertEquals("piece " + bad, e.getMessage());
            AtomicIntegerArray visits = new AtomicIntegerArray(1000);
            run(1000, 1, visits);
            for (int i = 0; i < 1000; i++) assertEquals(1, visits.get(i), "item " + i + " after a failed region");
        }
    }

    @Test
    void regionsStartedFromTwoThreadsAtOnceBothComplete() throws Exception {
        // the second caller finds the helpers busy and runs its pieces itself
        Parallel.setThreads(2);
        AtomicIntegerArray a = new AtomicIntegerArray(200_000), b = new AtomicIntegerArray(200_000);
        Thread other = new Thread(() -> {
            for (int r = 0; r < 20; r++) run(200_000, 1, b);
        });
        other.start();
        for (int r = 0; r < 20; r++) run(200_000, 1, a);
        other.join(60_000);
        for (int i = 0; i < 200_000; i += 997) {
            assertEquals(20, a.get(i), "item " + i + " of the first caller");
            assertEquals(20, b.get(i), "item " + i + " of the second caller");
        }
    }

    @Test
    void backgroundWorkRunsEveryPieceOnceWhileRegionsComeAndGo() {
        // the helpers take background pieces between the regions that follow; finish() runs the rest and
        // waits for those in progress, on any thread count (one: no helper, finish runs them all)
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            int pieces = 300;
            AtomicIntegerArray ran = new AtomicIntegerArray(pieces);
            Parallel.Background work = Parallel.background(pieces, (chunk, from, to) -> {
                assertEquals(chunk + 1, to, "one piece a call");
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) Thread.onSpinWait();    // some work, so regions start meanwhile
                ran.incrementAndGet(from);
            });
            for (int r = 0; r < 30; r++) {
                AtomicIntegerArray visits = new AtomicIntegerArray(10_000);
                run(10_000, 1, visits);
                for (int i = 0; i < 10_000; i += 101) assertEquals(1, visits.get(i), "region " + r + " item " + i);
            }
            work.finish();
            for (int i = 0; i < pieces; i++) assertEquals(1, ran.get(i), threads + " threads, piece " + i);
        }
    }

    @Test
    void aFailingBackgroundPieceIsRethrownByFinish() {
        Parallel.setThreads(2);
        Parallel.Background work = Parallel.background(20, (chunk, from, to) -> {
            if (chunk == 7) throw new IllegalStateException("piece 7");
        });
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, work::finish);
        assertEquals("piece 7", e.getMessage());
        AtomicIntegerArray visits = new AtomicIntegerArray(1000);
        run(1000, 1, visits);
        for (int i = 0; i < 1000; i++) assertEquals(1, visits.get(i), "item " + i + " after a failed background piece");
    }
}
