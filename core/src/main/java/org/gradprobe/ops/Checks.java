package org.gradprobe.ops;

import java.util.Arrays;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/** Argument checks shared by the ops; every message names the op and the shapes. */
final class Checks {
    private Checks() {}

    static void sameDtype(String op, Tensor a, Tensor b) {
        if (b != null && a.dtype != b.dtype) {
            throw new IllegalArgumentException(op + ": dtype mismatch, " + a.dtype + " and " + b.dtype);
        }
    }

    static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new ShapeException(op + ": shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " differ");
        }
    }

    static void rank(String op, Tensor t, int... allowed) {
        for (int r : allowed) if (t.rank() == r) return;
        throw new ShapeException(op + ": expected a tensor of rank " + Arrays.toString(allowed).replace(", ", " or ")
                + ", got shape " + Shapes.str(t.shape()));
    }
}
