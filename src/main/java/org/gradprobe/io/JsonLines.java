package org.gradprobe.io;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A JSON-lines log: one object per line, each line written whole and flushed, so a crash leaves only complete lines. */
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
        try {
            out.write(Json.write(record) + "\n");
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
