package org.gradprobe.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What is wrong with a file about to be read, in the same words for every reader: a directory, a
 * symbolic link loop or a dangling link, a device or pipe, no permission, no such file.
 */
public final class InputFiles {
    private InputFiles() {}

    /** Why {@code path} cannot be read as a regular file ("is a directory, expected a file", ...), or null when it can. */
    public static String problem(Path path) {
        try {
            Path real = path.toRealPath();       // follows links: a loop (ELOOP) or a dangling link shows here
            if (Files.isDirectory(real)) return "is a directory, expected a file";
            if (!Files.isRegularFile(real)) return "is not a regular file (a device, pipe or socket)";
            if (!Files.isReadable(real)) return "permission denied";
            return null;
        } catch (NoSuchFileException e) {
            return Files.isSymbolicLink(path) ? "is a symbolic link to a missing file" : "no such file";
        } catch (IOException e) {
            return reason(e);
        }
    }

    /** Why {@code path} cannot be listed as a folder ("no such directory", "is a file, expected a folder", ...), or null when it can. */
    public static String folderProblem(Path path) {
        try {
            Path real = path.toRealPath();
            return Files.isDirectory(real) ? null : "is a file, expected a folder";
        } catch (NoSuchFileException e) {
            return Files.isSymbolicLink(path) ? "is a symbolic link to a missing folder" : "no such directory";
        } catch (IOException e) {
            return reason(e);
        }
    }

    /** An IOException from opening or reading a file, in words ("a symbolic link loop", "permission denied", ...). */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) {
            String r = f.getReason();
            if (r.contains("symbolic links")) return "is a symbolic link loop (or a chain of over 40 links)";
            if (r.contains("Is a directory")) return "is a directory, expected a file";
            return "cannot read: " + r;
        }
        return "cannot read: " + e.getMessage();
    }
}
