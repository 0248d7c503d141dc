package org.gradprobe.ops;

import java.util.SplittableRandom;
import org.gradprobe.tensor.Tensor;

/**
 * The functional API: every differentiable op, as static methods (torch.nn.functional's role).
 * Each records its backward rule on the output when grad mode is on and an input requires a gradient.
 * Shapes follow PyTorch: images are [N,C,H,W], linear weights [out,in], conv weights [out,in,kh,kw].
 */
public final class F {
    private F() {}

    /** x[N,C,H,W] ⊛ w[O,C,kh,kw] + b[O] → [N,O,OH,OW]; {@code b} may be null. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int padding) {
        return Conv2dOp.conv2d(x, w, b, stride, padding);
    }

    /** Max over k×k windows moved by {@code stride}, x [N,C,H,W]. */
    public static Tensor maxPool2d(Tensor x, int k, int stride) {
        return PoolOps.maxPool2d(x, k, stride);
    }

    /** Mean over k×k windows moved by {@code stride}, x [N,C,H,W]. */
    public static Tensor avgPool2d(Tensor x, int k, int stride) {
        return PoolOps.avgPool2d(x, k, stride);
    }

    /**
     * x[N,in]·w[out,in]ᵀ + b[out] → [N,out]; {@code b} may be null. On x [N, ..., in] it acts on the last
     * dimension, as {@code nn.Linear} does (a sequence [N, T, in] gives [N, T, out]).
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (x.rank() <= 2) return LinearOp.linear(x, w, b);
        int[] shape = x.shape();
        int in = shape[shape.length - 1];
        shape[shape.length - 1] = w.rank() == 2 ? w.dim(0) : -1;
        return reshape(LinearOp.linear(reshape(x, -1, in), w, b), shape);
    }

    /** a[m,k]·b[k,n] → [m,n]. */
    public static Tensor matmul(Tensor a, Tensor b) {
        return LinearOp.matmul(a, b);
    }

    /** a + b, same shapes. */
    public static Tensor add(Tensor a, Tensor b) {
        return ShapeOps.add(a, b);
    }

    public static Tensor relu(Tensor x) {
        return Unary.relu(x);
    }

    public static Tensor leakyRelu(Tensor x, double slope) {
        return Unary.apply("leaky_relu", Unary.leakyRelu(slope), x);
    }

    public static Tensor sigmoid(Tensor x) {
        return Unary.apply("sigmoid", Unary.SIGMOID, x);
    }

    public static Tensor tanh(Tensor x) {
        return Unary.apply("tanh", Unary.TANH, x);
    }

    /** Exact GELU x·Φ(x) (erf form, PyTorch's default). */
    public static Tensor gelu(Tensor x) {
        return Unary.apply("gelu", Unary.GELU, x);
    }

    /** log-softmax over dimension 1 of x [N,C]. */
    public static Tensor logSoftmax(Tensor x) {
        return LossOps.logSoftmax(x);
    }

    /**
     * Batch norm over [N,C] or [N,C,H,W]. In training, updates {@code runningMean} and
     * {@code runningVar} in place (Modified) when they are not null. gamma and beta may be null.
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, double momentum, double eps) {
        return BatchNormOp.batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps);
    }

    /** Inverted dropout with probability p when training; identity otherwise. */
    public static Tensor dropout(Tensor x, double p, boolean training, SplittableRandom rng) {
        return DropoutOp.dropout(x, p, training, rng);
    }

    /** Rows of weight [V, D] picked by integer ids [N, T] (a float tensor of integer values) → [N, T, D] (nn.Embedding). */
    public static Tensor embedding(Tensor ids, Tensor weight) {
        return EmbeddingOp.embedding(ids, weight);
    }

    /** The last step of each sequence: x [N, T, D] → x[:, -1] [N, D]. */
    public static Tensor last(Tensor x) {
        return SequenceOps.last(x);
    }

    /** The mean over the steps of each sequence: x [N, T, D] → x.mean(1) [N, D]. */
    public static Tensor meanOverTime(Tensor x) {
        return SequenceOps.meanOverTime(x);
    }

    /**
     * An Elman RNN layer over x [N, T, D] from a zero state (PyTorch's {@code nn.RNN}, batch first): h_t =
     * tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), or relu when {@code relu}; every step's h → [N, T, H].
     * Biases may be null. {@code sink} (may be null) receives ∂L/∂h_t for every t in the backward pass.
     */
    public static Tensor rnn(Tensor x, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, boolean relu, ThroughTime sink) {
        return RecurrentOp.run(relu ? RecurrentOp.Cell.RNN_RELU : RecurrentOp.Cell.RNN_TANH, x, wih, whh, bih, bhh, sink);
    }

    /**
     * An LSTM layer over x [N, T, D] from a zero state (PyTorch's {@code nn.LSTM}, batch first; gates i, f, g, o
     * stacked in W_ih [4H, D], W_hh [4H, H]) → every step's h [N, T, H]. As {@link #rnn} for biases and sink.
     */
    public static Tensor lstm(Tensor x, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, ThroughTime sink) {
        return RecurrentOp.run(RecurrentOp.Cell.LSTM, x, wih, whh, bih, bhh, sink);
    }

    /**
     * A GRU layer over x [N, T, D] from a zero state (PyTorch's {@code nn.GRU}, batch first; gates r, z, n
     * stacked in W_ih [3H, D], W_hh [3H, H]) → every step's h [N, T, H]. As {@link #rnn} for biases and sink.
     */
    public static Tensor gru(Tensor x, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, ThroughTime sink) {
        return RecurrentOp.run(RecurrentOp.Cell.GRU, x, wih, whh, bih, bhh, sink);
    }

    /** Same data, new shape (one dimension may be -1). */
    public static Tensor reshape(Tensor x, int... shape) {
        return ShapeOps.reshape(x, shape);
    }

    /** [N, ...] → [N, prod(...)]. */
    public static Tensor flatten(Tensor x) {
        return ShapeOps.flatten(x);
    }

    /** Mean cross-entropy from logits [N,C] and class indices. */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return LossOps.crossEntropy(logits, targets);
    }

    /**
     * Mean binary cross-entropy of logits x against targets y in [0, 1], same shape (PyTorch's
     * {@code F.binary_cross_entropy_with_logits}); computed stably for large |x|.
     */
    public static Tensor bceWithLogits(Tensor x, Tensor y) {
        return LossOps.bceWithLogits(x, y);
    }

    /** Mean squared error over all elements. */
    public static Tensor mseLoss(Tensor a, Tensor b) {
        return LossOps.mseLoss(a, b);
    }
}
