package org.gradprobe.cli;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.Map;
import org.gradprobe.io.JsonLines;
import org.gradprobe.nn.Model;
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

    void checkpoint() {
        Checkpoint.save(model, dir.resolve(CHECKPOINT), Main.VERSION);
    }

    @Override
    public void close() {
        log.close();
    }
}
