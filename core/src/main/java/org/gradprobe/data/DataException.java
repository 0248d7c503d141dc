package org.gradprobe.data;

/** A data file is missing, truncated or malformed; the message names the file and what was wrong. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
