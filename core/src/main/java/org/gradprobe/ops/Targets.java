package org.gradprobe.ops;

import java.util.Arrays;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * What a loss compares a model's output with: class indices (cross-entropy; the image data sets give
 * one a sample, a language model one a token) or values, a float tensor of the output's shape (mse,
 * binary cross-entropy of logits: a regression target, soft or hard labels). Either way the first
 * dimension counts the samples: a batch of N sequences of T tokens is N samples, N·T class indices.
 */
public sealed interface Targets permits Targets.Classes, Targets.Values {
    /**
     * Class indices, row-major in {@code shape}: [N] (one a sample) or [N, T] (one a token; the output
     * is then [N, T, C]).
     */
    record Classes(int[] labels, int[] shape) implements Targets {
        public Classes {
            if (shape.length == 0 || Shapes.numel(shape) != labels.length) {
                throw new IllegalArgumentException(labels.length + " class indices do not fill the shape " + Shapes.str(shape)
                        + " (expected [N] or [N, T])");
            }
            shape = shape.clone();
        }

        /** One class index a sample: shape [labels.length]. */
        public Classes(int[] labels) {
            this(labels, new int[] {labels.length});
        }

        @Override
        public int samples() { return shape[0]; }

        /** The shape; a copy. */
        @Override
        public int[] shape() { return shape.clone(); }
    }

    /** Values, as many as the output has (no graph: targets take no gradient in training). */
    record Values(Tensor values) implements Targets {
        @Override
        public int samples() { return values.rank() == 0 ? 1 : values.dim(0); }
    }

    /** How many samples the targets are for: the batch size N. */
    int samples();

    /** One class index a sample. */
    static Targets classes(int... labels) {
        return new Classes(labels);
    }

    /** Class indices of {@code shape}, [N] or [N, T] (row-major). */
    static Targets classes(int[] labels, int[] shape) {
        return new Classes(labels, shape);
    }

    static Targets values(Tensor values) {
        return new Values(values);
    }

    /** The class indices, or an error naming the loss that needs them. */
    default int[] labels(String loss) {
        return classes(loss).labels();
    }

    /** These targets as class indices, or an error naming the loss that needs them. */
    default Classes classes(String loss) {
        if (this instanceof Classes c) return c;
        throw new IllegalArgumentException(loss + " needs class indices as targets, got values " + Shapes.str(((Values) this).values().shape()));
    }

    /** The values, shaped as {@code output}, or an error naming the loss that needs them. */
    default Tensor values(String loss, Tensor output) {
        if (this instanceof Classes c) {
            throw new IllegalArgumentException(loss + " needs float targets shaped as the output " + Shapes.str(output.shape())
                    + ", got " + c.labels().length + " class indices");
        }
        Tensor v = ((Values) this).values();
        if (!Arrays.equals(v.shape(), output.shape())) {
            throw new IllegalArgumentException(loss + ": targets " + Shapes.str(v.shape()) + " do not match the output " + Shapes.str(output.shape()));
        }
        return v.dtype == output.dtype ? v : v.to(output.dtype);
    }
}
