package org.gradprobe.cli.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.gradprobe.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gradprobe train} in a process of its own, killed: by SIGKILL in the middle of training and in
 * the middle of a checkpoint write (a loadable checkpoint stays; the next run in the folder leaves no
 * stray files), and by SIGINT (it finishes its step, writes the report and the verdicts, says where it
 * stopped, exits 130).
 */
class KillTest {
    @TempDir
    Path dir;

    /** The seed CNN on the bundled images on one thread, a record of every step; {@code extra}: options, and -D properties for the JVM. */
    static List<String> train(Path out, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        for (String e : extra) if (e.startsWith("-D")) cmd.add(e);
        cmd.addAll(List.of("org.gradprobe.cli.Main", "train", "--log-every", "1", "--threads", "1", "--out", out.toString()));
        for (String e : extra) if (!e.startsWith("-D")) cmd.add(e);
        return cmd;
    }

    static Process start(List<String> cmd, Path log) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(false).redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile())
                .redirectError(log.toFile()).start();
    }

    /** Waits (up to 60 s) until {@code ready} holds of the folder. */
    static void await(Path run, Predicate<Path> ready, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ready.test(run)) {
            assertTrue(p.isAlive(), "the run ended before it could be interrupted");
            assertTrue(System.nanoTime() < end, "the run did not get there in 60 s");
            Thread.sleep(20);
        }
    }

    static boolean trained(Path run) {
        try {
            return Files.exists(run.resolve("metrics.jsonl")) && Files.readString(run.resolve("metrics.jsonl")).contains("\"type\":\"train\"");
        } catch (IOException e) {
            return false;
        }
    }

    static List<Path> temporaries(Path run) throws IOException {
        try (Stream<Path> s = Files.walk(run)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    /** Sends {@code sig} with the shell's own kill (a fresh machine may have no /bin/kill). */
    static void signal(Process p, String sig) throws Exception {
        assertEquals(0, new ProcessBuilder("sh", "-c", "kill -" + sig + " " + p.pid()).start().waitFor());
    }

    static void assertLoadableCheckpoint(Path run) {
        SafeTensors.Contents c = SafeTensors.read(run.resolve("model.safetensors"));
        assertTrue(c.entries().containsKey("conv1.weight"), "the checkpoint holds the seed CNN: " + c.entries().keySet());
    }

    @Test
    void sigkillDuringTrainingLeavesALoadableCheckpoint() throws Exception {
        Path run = dir.resolve("run");
        Process p = start(train(run, "--epochs", "20"), dir.resolve("err"));
        await(run, KillTest::trained, p);
        signal(p, "KILL");
        p.waitFor();
        assertLoadableCheckpoint(run);
    }

    @Test
    void sigkillDuringACheckpointWriteKeepsTheLastOneAndTheNextRunLeavesNoStrayFiles() throws Exception {
        Path run = dir.resolve("run");
        // every atomic write pauses 2 s before its rename; two steps an epoch: the checkpoint after epoch 1 is
        // caught in the middle, the initial one in place
        Process p = start(train(run, "-Dgradprobe.test.atomicWritePauseMs=2000", "--epochs", "5", "--limit", "8"), dir.resolve("err"));
        await(run, r -> {
            try {
                return Files.exists(r.resolve("model.safetensors")) && !temporaries(r).isEmpty();
            } catch (IOException e) {
                return false;
            }
        }, p);
        signal(p, "KILL");
        p.waitFor();
        assertFalse(temporaries(run).isEmpty(), "killed with its temporary in place");
        assertLoadableCheckpoint(run);    // the one before, whole
        // the next run in that folder: refused without --overwrite (nothing touched), then with it, no stray files
        Process refused = start(train(run, "--epochs", "1", "--limit", "8"), dir.resolve("err2"));
        assertEquals(2, refused.waitFor(), Files.readString(dir.resolve("err2")));
        assertTrue(Files.readString(dir.resolve("err2")).contains("--overwrite"));
        Process again = start(train(run, "--overwrite", "--limit", "8", "--epochs", "1"), dir.resolve("err3"));
        assertEquals(0, again.waitFor(), Files.readString(dir.resolve("err3")));
        assertEquals(List.of(), temporaries(run));
        assertLoadableCheckpoint(run);
    }

    @Test
    void sigintFinishesTheStepWritesTheReportAndSaysWhereItStopped() throws Exception {
        Path run = dir.resolve("run");
        Process p = start(train(run, "--epochs", "20"), dir.resolve("err"));
        await(run, KillTest::trained, p);
        signal(p, "INT");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ended after SIGINT");
        String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
        assertEquals(130, p.exitValue(), err);
        List<String> lines = err.lines().filter(l -> l.startsWith("gradprobe: ")).toList();
        assertTrue(lines.get(lines.size() - 1).matches("gradprobe: stopped by SIGINT after step \\d+; kept .*model\\.safetensors.*"), err);
        assertFalse(err.contains("\tat "), err);
        assertTrue(Files.exists(run.resolve("report.html")));
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"type\":\"stopped\",\"reason\":\"SIGINT\""), "the run record says it was stopped");
        assertTrue(metrics.contains("\"type\":\"verdicts\",\"epoch\":0"), "the final verdicts are written");
        assertLoadableCheckpoint(run);
        assertEquals(List.of(), temporaries(run));
    }
}
