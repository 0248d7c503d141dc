package org.gradprobe.tensor;

/** Thrown when shapes do not fit; the message always names the shapes involved. */
public class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) {
        super(message);
    }
}
