package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/** Elementwise add (same shapes, for residual blocks) and reshape/flatten. */
final class ShapeOps {
    private ShapeOps() {}

    static Tensor add(Tensor a, Tensor b) {
        Checks.sameDtype("add", a, b);
        Checks.sameShape("add", a, b);
        Tensor y = a.copy();
        y.addInPlace(b);
        // both inputs receive the incoming gradient unchanged; the walk never sums into it in place
        return Node.record("add", y, g -> new Tensor[] {g, g}, a, b);
    }

    static Tensor reshape(Tensor x, int... shape) {
        int[] s = shape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new ShapeException("reshape: more than one -1 in " + Shapes.str(shape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new ShapeException("cannot reshape " + Shapes.str(x.shape()) + " to " + Shapes.str(shape));
            }
            s[infer] = x.numel() / known;
        }
        if (Shapes.numel(s) != x.numel()) throw new ShapeException("cannot reshape " + Shapes.str(x.shape()) + " to " + Shapes.str(shape));
        int[] in = x.shape();
        return Node.record("reshape", x.detach().view(s), g -> new Tensor[] {g.view(in)}, x);
    }

    /** [N, ...] → [N, prod(...)]. */
    static Tensor flatten(Tensor x) {
        if (x.rank() < 1) throw new ShapeException("flatten: needs a batch dimension, got shape " + Shapes.str(x.shape()));
        return reshape(x, x.dim(0), -1);
    }
}
