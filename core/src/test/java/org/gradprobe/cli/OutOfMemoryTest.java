package org.gradprobe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.gradprobe.kernels.Parallel;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** An OutOfMemoryError, wherever it is thrown, is one line naming what was done and what to lower; exit 1. */
class OutOfMemoryTest {
    @Command(name = "fill")
    static final class Fill implements Callable<Integer> {
        @CommandLine.Option(names = "--on-worker") boolean onWorker;

        @Override
        public Integer call() {
            Doing.now("training fill at batch 10000", "--batch (10000)");
            if (onWorker) {
                Parallel.forChunks(1 << 20, (piece, from, to) -> {
                    if (piece == 1) throw new OutOfMemoryError("Java heap space");
                });
            }
            throw new OutOfMemoryError("Java heap space");
        }
    }

    static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new CommandLine(new Main()).addSubcommand(new Fill()), args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void outOfMemoryOnTheMainThreadIsOneLine() {
        String[] r = run("fill");
        assertEquals("1", r[0], r[1]);
        assertEquals(1, r[1].lines().count(), r[1]);
        assertTrue(r[1].startsWith("gradprobe: out of memory while training fill at batch 10000 (Java heap limit "), r[1]);
        assertTrue(r[1].contains("lower --batch (10000)") && r[1].contains("GRADPROBE_JAVA_OPTS=-Xmx"), r[1]);
    }

    @Test
    void outOfMemoryOnAKernelWorkerIsOneLine() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            String[] r = run("fill", "--on-worker");
            assertEquals("1", r[0], r[1]);
            assertEquals(1, r[1].lines().count(), r[1]);
            assertTrue(r[1].contains("out of memory while training fill"), r[1]);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void debugAddsTheTrace() {
        String[] r = run("fill", "--debug");
        assertTrue(r[1].contains("java.lang.OutOfMemoryError"), r[1]);
        assertTrue(r[1].strip().lines().reduce((a, b) -> b).orElse("").startsWith("gradprobe: out of memory"), r[1]);
    }

    @Test
    void suggestsTwiceTheHeap() {
        assertEquals(1, Doing.suggestedHeapGiB(256L << 20));
        assertEquals(12, Doing.suggestedHeapGiB(6L << 30));
        assertEquals("1.5 GiB", Doing.bytes(3L << 29));
        assertFalse(Doing.bytes(10).contains("KiB"));
    }
}
