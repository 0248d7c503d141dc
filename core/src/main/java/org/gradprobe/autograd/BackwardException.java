package org.gradprobe.autograd;

/** A backward rule broke its contract (wrong number or shape of gradients); names the node. */
public class BackwardException extends IllegalStateException {
    public BackwardException(String message) {
        super(message);
    }
}
