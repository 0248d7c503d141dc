package org.gradprobe.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * The backward walk: reverse topological order from the root, each node's incoming gradients summed
 * before its rule runs, leaves accumulating into {@code grad} with += as PyTorch does. It fails
 * loudly when a rule returns the wrong number of gradients or a gradient of the wrong shape.
 */
public final class Backward {
    private Backward() {}

    /** Observes the walk (used by the probe); both methods default to doing nothing. */
    public interface GradListener {
        /** The final (summed) gradient of {@code tensor}, before its node's rule runs. */
        default void onGrad(Tensor tensor, Tensor grad) {}

        /** A node's rule turned {@code gradOut} into {@code gradIns} (same order as the node's inputs). */
        default void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {}
    }

    /** Backward from a scalar root with seed gradient 1. */
    public static void backward(Tensor root) {
        if (root.numel() != 1) {
            throw new BackwardException("backward() without a seed needs a scalar, got shape " + Shapes.str(root.shape()));
        }
        backward(root, Tensor.full(root.dtype, 1.0, root.shape()), null);
    }

    /** Backward from {@code root} with gradient {@code seed}; {@code listener} may be null. */
    public static void backward(Tensor root, Tensor seed, GradListener listener) {
        if (!root.requiresGrad()) {
            throw new BackwardException("root does not require grad: nothing in its graph has requiresGrad");
        }
        if (!Arrays.equals(root.shape(), seed.shape())) {
            throw new BackwardException("seed gradient " + Shapes.str(seed.shape()) + " does not match root " + Shapes.str(root.shape()));
        }
        List<Tensor> order = topoOrder(root);
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        pending.put(root, seed);
        for (int k = order.size() - 1; k >= 0; k--) {
            Tensor t = order.get(k);
            Tensor g = pending.remove(t);
            if (g == null) continue;
            if (listener != null) listener.onGrad(t, g);
            if (t.isLeaf() || t.retainsGrad()) {
                if (t.grad() == null) t.setGrad(g.copy());
                else t.grad().addInPlace(g);
            }
            Node n = t.node();
            if (n == null) continue;
            Tensor[] ins = n.inputs();
            Tensor[] gi = n.backwardFn().apply(g);
            if (gi == null || gi.length != ins.length) {
                throw new BackwardException(n + ": backward returned " + (gi == null ? "null" : gi.length + " gradients")
                        + " for " + ins.length + " inputs");
            }
            if (listener != null) listener.onRule(n, g, gi);
            for (int i = 0; i < ins.length; i++) {
                Tensor in = ins[i];
                if (in == null || !in.requiresGrad() || gi[i] == null) continue;
                if (!Arrays.equals(in.shape(), gi[i].shape())) {
                    throw new BackwardException(n + ": gradient for input " + i + " has shape " + Shapes.str(gi[i].shape())
                            + ", input has shape " + Shapes.str(in.shape()));
                }
                Tensor prev = pending.get(in);
                if (prev == null) {
                    pending.put(in, gi[i]);
                } else {
                    // the first gradient may be shared with another input (add passes g through), so never sum in place into it
                    Tensor sum = prev.copy();
                    sum.addInPlace(gi[i]);
                    pending.put(in, sum);
                }
            }
        }
    }

    /** Tensors reachable from {@code root} through nodes, inputs before the tensors made from them. */
    static List<Tensor> topoOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // iterative post-order DFS: deep networks must not overflow the stack
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] ins = t.node() == null ? new Tensor[0] : t.node().inputs();
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad() && seen.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
