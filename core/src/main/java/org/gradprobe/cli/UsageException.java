package org.gradprobe.cli;

/** A command-line argument is wrong (exit code 2); the message names the argument. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
