package org.gradprobe.cli;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.Map;
import org.gradprobe.io.AtomicFile;
import org.gradprobe.io.JsonLines;
import org.gradprobe.nn.Model;
import org.gradprobe.probe.Stats;
import org.gradprobe.report.HtmlReport;
import org.gradprobe.report.RunData;
import org.gradprobe.report.TensorBoard;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Checkpoint;

/** A training run's folder: the checkpoint (rewritten atomically after each epoch) and the JSON-lines metrics log. */
final class RunFolder implements Closeable {
    static final String CHECKPOINT = "model.safetensors";
    static final String METRICS = "metrics.jsonl";

    private final Path dir;
    private final Model model;
    private final JsonLines log;

    RunFolder(Path dir, Model model, Map<String, Object> provenance) {
        this.dir = dir;
        this.model = model;
        this.log = new JsonLines(dir.resolve(METRICS));
        log.write(provenance);
    }

    void log(Map<String, ?> record) {
        log.write(record);
    }

    /** Writes the checkpoint, unless a weight is NaN or Inf: then the last good checkpoint stays. Returns whether it wrote. */
    boolean checkpoint() {
        for (Tensor p : model.parameters().values()) {
            if (!Stats.allFinite(p)) {
                System.out.println("not saving the checkpoint: weights are not finite; " + (java.nio.file.Files.exists(dir.resolve(CHECKPOINT))
                        ? "the last good one is kept" : "there is no earlier one"));
                return false;
            }
        }
        Checkpoint.save(model, dir.resolve(CHECKPOINT), Main.VERSION);
        return true;
    }

    Path dir() { return dir; }

    /** Writes report.html and TensorBoard's events (tensorboard/) from the metrics log as it stands; returns report.html. */
    Path writeReports() {
        RunData record = RunData.read(dir.resolve(METRICS));
        Path html = dir.resolve("report.html");
        AtomicFile.writeString(html, HtmlReport.render(record));
        TensorBoard.write(record, dir.resolve("tensorboard"), System.currentTimeMillis() / 1000.0);
        return html;
    }

    JsonLines log() { return log; }

    @Override
    public void close() {
        log.close();
    }
}
