package org.gradprobe.ops;

import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * What a loss compares a model's output with: class indices (cross-entropy; the image data sets give
 * these) or values, a float tensor of the output's shape (mse, binary cross-entropy of logits: a
 * regression target, soft or hard labels).
 */
public sealed interface Targets permits Targets.Classes, Targets.Values {
    /** Class indices, one a sample. */
    record Classes(int[] labels) implements Targets {
        public int samples() { return labels.length; }
    }

    /** Values, as many as the output has (no graph: targets take no gradient in training). */
    record Values(Tensor values) implements Targets {
        public int samples() { return values.rank() == 0 ? 1 : values.dim(0); }
    }

    /** How many samples the targets are for. */
    int samples();

    static Targets classes(int... labels) {
        return new Classes(labels);
    }

    static Targets values(Tensor values) {
        return new Values(values);
    }

    /** The class indices, or an error naming the loss that needs them. */
    default int[] labels(String loss) {
        if (this instanceof Classes c) return c.labels();
        throw new IllegalArgumentException(loss + " needs class indices as targets, got values " + Shapes.str(((Values) this).values().shape()));
    }

    /** The values, shaped as {@code output}, or an error naming the loss that needs them. */
    default Tensor values(String loss, Tensor output) {
        if (this instanceof Classes c) {
            throw new IllegalArgumentException(loss + " needs float targets shaped as the output " + Shapes.str(output.shape())
                    + ", got " + c.labels().length + " class indices");
        }
        Tensor v = ((Values) this).values();
        if (!java.util.Arrays.equals(v.shape(), output.shape())) {
            throw new IllegalArgumentException(loss + ": targets " + Shapes.str(v.shape()) + " do not match the output " + Shapes.str(output.shape()));
        }
        return v.dtype == output.dtype ? v : v.to(output.dtype);
    }
}
