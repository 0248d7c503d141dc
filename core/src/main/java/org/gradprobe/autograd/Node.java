package org.gradprobe.autograd;

import java.util.concurrent.atomic.AtomicLong;
import org.gradprobe.tensor.Tensor;

/**
 * One recorded op in the graph: its name, a stable id, its inputs and its backward rule. A node is
 * attached to the tensor it produced; {@link #label()} is set by layers (the layer name) so that the
 * probe and the reports can say where a node sits in the model.
 */
public final class Node {
    private static final AtomicLong IDS = new AtomicLong();
    private static final ThreadLocal<OpObserver> OBSERVER = new ThreadLocal<>();

    /** Sees every op recorded on this thread (the probe uses it to find where a NaN was produced). */
    @FunctionalInterface
    public interface OpObserver {
        void onOp(String op, Tensor out, Tensor[] inputs);
    }

    /** Installs (or, with null, removes) the op observer of this thread. */
    public static void setObserver(OpObserver o) {
        if (o == null) OBSERVER.remove();
        else OBSERVER.set(o);
    }

    private final long id = IDS.incrementAndGet();
    private final String op;
    private final Tensor[] inputs;
    private final BackwardFn backward;
    private final Derivable derivable;
    private String label;

    private Node(String op, Derivable derivable, Tensor[] inputs, BackwardFn backward) {
        this.op = op;
        this.derivable = derivable;
        this.inputs = inputs;
        this.backward = backward;
    }

    /**
     * Records {@code op} as the creator of {@code out} when grad mode is on and any input requires a
     * gradient; returns {@code out} either way.
     */
    public static Tensor record(String op, Tensor out, BackwardFn backward, Tensor... inputs) {
        return record(op, Derivable.NONE, out, backward, inputs);
    }

    /** As {@link #record(String, Tensor, BackwardFn, Tensor...)}, declaring what the probe may derive from the node. */
    public static Tensor record(String op, Derivable derivable, Tensor out, BackwardFn backward, Tensor... inputs) {
        OpObserver o = OBSERVER.get();
        if (o != null) o.onOp(op, out, inputs);
        if (!GradMode.isEnabled()) return out;
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad();
        if (any) out.setNode(new Node(op, derivable, inputs, backward));
        return out;
    }

    public String op() { return op; }
    public long id() { return id; }
    public Tensor[] inputs() { return inputs; }
    public BackwardFn backwardFn() { return backward; }
    /** What the probe may derive from this node instead of reading its tensors. */
    public Derivable derivable() { return derivable; }
    public String label() { return label; }
    public void setLabel(String label) { this.label = label; }

    @Override
    public String toString() {
        return op + "#" + id + (label != null ? "(" + label + ")" : "");
    }
}
