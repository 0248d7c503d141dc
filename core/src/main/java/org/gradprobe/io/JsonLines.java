package org.gradprobe.io;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A JSON-lines log: one object per line, flushed after each record or batch of records, so a crash
 * loses at most the batch being written and leaves at most its last line cut short (RunData drops it).
 */
public final class JsonLines implements Closeable {
    private final Path path;
    private final BufferedWriter out;

    public JsonLines(Path path) {
        this.path = path;
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

    public void write(Map<String, ?> record) {
        writeAll(List.of(record));
    }

    /**
     * Writes the records, one line each, with one flush for them all (a recorded step's records: one
     * flush a record had cost a system call each, 19 a step of the seed CNN).
     */
    public void writeAll(List<? extends Map<String, ?>> records) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, ?> r : records) {
            Json.write(sb, r);
            sb.append('\n');
        }
        try {
            out.append(sb);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot close: " + e.getMessage(), e);
        }
    }
}
