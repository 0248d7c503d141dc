package org.gradprobe.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a file under a temporary name in the same folder, then renames it into place. */
public final class AtomicFile {
    private AtomicFile() {}

    /**
     * A pause, in milliseconds, between writing the temporary and renaming it into place, from the system
     * property {@code gradprobe.test.atomicWritePauseMs} (0 without it): lets a test kill the process
     * in the middle of a write.
     */
    private static final long PAUSE_MS = Long.getLong("gradprobe.test.atomicWritePauseMs", 0);

    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code path} atomically; on any failure the target is untouched and the temporary removed. */
    public static void write(Path path, Body body) {
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            // a rename would put an ordinary file in the place of a device, a pipe or a folder
            String why = path + ": is not a regular file (" + (Files.isDirectory(abs) ? "a folder" : "a device or a pipe")
                    + "): not replacing it; give the path of a file to write";
            throw new UncheckedIOException(why, new IOException(why));
        }
        try {
            if (dir != null) Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try {
                // temporary files are created owner-only; the result is an ordinary file
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: keep the default
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                body.writeTo(out);
            }
            if (PAUSE_MS > 0) pause();
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the original error matters more
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void writeString(Path path, String text) {
        write(path, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
