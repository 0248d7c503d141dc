package org.gradprobe.nn;

/** A model spec that does not parse or does not fit its input; the message quotes the offending part. */
public class SpecException extends IllegalArgumentException {
    public SpecException(String message) {
        super(message);
    }
}
