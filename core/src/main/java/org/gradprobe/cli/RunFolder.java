package org.gradprobe.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gradprobe.io.AtomicFile;
import org.gradprobe.io.JsonLines;
import org.gradprobe.nn.Model;
import org.gradprobe.probe.Stats;
import org.gradprobe.report.RunReports;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Checkpoint;

/**
 * A training run's folder: the checkpoint (written at the start and rewritten atomically after each
 * epoch, so that a run killed at any moment leaves a loadable one), the JSON-lines metrics log, and
 * the reports. Opening a folder removes the temporary files an earlier, killed run left there, and
 * refuses to replace an earlier run unless asked to.
 */
final class RunFolder implements Closeable {
    static final String CHECKPOINT = "model.safetensors";
    static final String METRICS = RunReports.METRICS;
    static final String REPORT = RunReports.REPORT;
    static final String TENSORBOARD = RunReports.TENSORBOARD;
    /** An atomic write's temporary, as {@link AtomicFile} names it: ".NAME.DIGITS.tmp". */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.\\d+\\.tmp");

    private final Path dir;
    private final Model model;
    private final JsonLines log;
    /** What the checkpoint on disk holds ("the initial weights", "the weights after epoch 2"), or null before the first. */
    private String checkpointed;

    RunFolder(Path dir, Model model, Map<String, Object> provenance) {
        this.dir = dir;
        this.model = model;
        this.log = new JsonLines(dir.resolve(METRICS));
        log.write(provenance);
    }

    /**
     * Prepares {@code dir} for a new run: a folder that holds an earlier run (its metrics log or its
     * checkpoint) is refused, naming {@code option}, unless {@code overwrite}, which removes that run's
     * files (and its TensorBoard events, which would otherwise sit beside the new ones). Temporary files
     * of an earlier killed run are removed either way; returns how many.
     */
    static int prepare(Path dir, String option, boolean overwrite) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new UsageException(option + " " + dir + ": exists and is not a folder");
        if (!Files.isDirectory(dir)) return 0;
        boolean earlier = Files.exists(dir.resolve(METRICS)) || Files.exists(dir.resolve(CHECKPOINT));
        if (earlier && !overwrite) {
            throw new UsageException(option + " " + dir + ": holds an earlier run (" + (Files.exists(dir.resolve(METRICS)) ? METRICS : CHECKPOINT)
                    + "); add --overwrite to replace it, or name another folder");
        }
        try {
            if (overwrite) {
                for (String f : new String[] {METRICS, CHECKPOINT, REPORT}) Files.deleteIfExists(dir.resolve(f));
                Path tb = dir.resolve(TENSORBOARD);
                if (Files.isDirectory(tb)) {
                    try (Stream<Path> events = Files.list(tb)) {
                        for (Path e : (Iterable<Path>) events::iterator) if (e.getFileName().toString().startsWith("events.out.tfevents.")) Files.delete(e);
                    }
                }
            }
            return removeTemporaries(dir) + removeTemporaries(dir.resolve(TENSORBOARD));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot clear the earlier run: " + e.getMessage(), e);
        }
    }

    /** Removes the atomic writes' temporaries directly in {@code dir}; returns how many. */
    static int removeTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        int n = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (TEMPORARY.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(f);
                    n++;
                }
            }
        }
        return n;
    }

    /** A folder under {@code parent} named {@code name}, or name-2, name-3, ... when that one exists. */
    static Path fresh(Path parent, String name) {
        Path p = parent.resolve(name);
        for (int k = 2; Files.exists(p); k++) p = parent.resolve(name + "-" + k);
        return p;
    }

    void log(Map<String, ?> record) {
        log.write(record);
    }

    /**
     * Writes the checkpoint, unless a weight is NaN or Inf: then the last good checkpoint stays. {@code what}
     * says which weights these are ("the weights after epoch 2"). Returns whether it wrote.
     */
    boolean checkpoint(String what) {
        for (Tensor p : model.parameters().values()) {
            if (!Stats.allFinite(p)) {
                System.out.println("not saving the checkpoint: weights are not finite; " + (Files.exists(dir.resolve(CHECKPOINT))
                        ? "the last good one is kept" : "there is no earlier one"));
                return false;
            }
        }
        Checkpoint.save(model, dir.resolve(CHECKPOINT), Main.VERSION);
        checkpointed = what;
        return true;
    }

    /** What the checkpoint on disk holds, or null when none was written. */
    String checkpointed() {
        return checkpointed;
    }

    /** The run record's line for a run stopped by {@code reason} (a signal) after {@code step}. */
    static Map<String, Object> stopped(String reason, long step) {
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("type", "stopped");
        r.put("reason", reason);
        r.put("step", step);
        return r;
    }

    Path dir() { return dir; }

    /** Writes report.html and TensorBoard's events (tensorboard/) from the metrics log as it stands; returns report.html. */
    Path writeReports() {
        return RunReports.write(dir);
    }

    JsonLines log() { return log; }

    @Override
    public void close() {
        log.close();
    }
}
