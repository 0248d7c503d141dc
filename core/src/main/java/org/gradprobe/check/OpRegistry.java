package org.gradprobe.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.Tensor;

/**
 * Every built-in op with inputs to check it at: each case names the {@link F} method it covers, so a
 * test can fail when an op of {@code F} has no case.
 */
public final class OpRegistry {
    private OpRegistry() {}

    /** One op at one point: its inputs (fresh each call) and the function of them. */
    public record OpCase(String name, String covers, String[] inputNames, InputMaker inputs, GradCheck.Fn fn) {}

    @FunctionalInterface
    public interface InputMaker {
        Tensor[] make(DType dtype, SplittableRandom rng);
    }

    static Tensor r(DType dt, SplittableRandom rng, double scale, int... shape) {
        return Tensor.randn(dt, rng, scale, shape).requiresGrad(true);
    }

    public static List<OpCase> cases() {
        List<OpCase> c = new ArrayList<>();
        c.add(new OpCase("conv2d", "conv2d", new String[] {"x", "weight", "bias"},
                (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 3, 6, 5), r(dt, g, 1, 4, 3, 3, 3), r(dt, g, 1, 4)},
                in -> F.conv2d(in[0], in[1], in[2], 1, 0)));
        c.add(new OpCase("conv2d stride 2 padding 1", "conv2d", new String[] {"x", "weight", "bias"},
                (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 2, 7, 6), r(dt, g, 1, 3, 2, 3, 3), r(dt, g, 1, 3)},
                in -> F.conv2d(in[0], in[1], in[2], 2, 1)));
        c.add(new OpCase("maxpool2d", "maxPool2d", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 2, 6, 6)},
                in -> F.maxPool2d(in[0], 2, 2)));
        c.add(new OpCase("maxpool2d overlapping", "maxPool2d", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 1, 2, 7, 7)},
                in -> F.maxPool2d(in[0], 3, 2)));
        c.add(new OpCase("avgpool2d", "avgPool2d", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 2, 6, 5)},
                in -> F.avgPool2d(in[0], 3, 1)));
        c.add(new OpCase("linear", "linear", new String[] {"x", "weight", "bias"},
                (dt, g) -> new Tensor[] {r(dt, g, 1, 4, 6), r(dt, g, 1, 5, 6), r(dt, g, 1, 5)}, in -> F.linear(in[0], in[1], in[2])));
        c.add(new OpCase("matmul", "matmul", new String[] {"a", "b"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 3, 4), r(dt, g, 1, 4, 5)},
                in -> F.matmul(in[0], in[1])));
        c.add(new OpCase("add", "add", new String[] {"a", "b"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 3, 4), r(dt, g, 1, 2, 3, 4)},
                in -> F.add(in[0], in[1])));
        c.add(new OpCase("relu", "relu", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 4, 6)}, in -> F.relu(in[0])));
        c.add(new OpCase("leaky_relu", "leakyRelu", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 4, 6)},
                in -> F.leakyRelu(in[0], 0.1)));
        c.add(new OpCase("sigmoid", "sigmoid", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 2, 4, 6)}, in -> F.sigmoid(in[0])));
        c.add(new OpCase("tanh", "tanh", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1.5, 4, 6)}, in -> F.tanh(in[0])));
        c.add(new OpCase("gelu", "gelu", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 2, 4, 6)}, in -> F.gelu(in[0])));
        c.add(new OpCase("log_softmax", "logSoftmax", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 2, 3, 5)},
                in -> F.logSoftmax(in[0])));
        c.add(new OpCase("batch_norm 2d train", "batchNorm", new String[] {"x", "weight", "bias"},
                (dt, g) -> new Tensor[] {r(dt, g, 2, 3, 2, 3, 3), r(dt, g, 1, 2), r(dt, g, 1, 2)},
                in -> F.batchNorm(in[0], in[1], in[2], null, null, true, 0.1, 1e-5)));
        c.add(new OpCase("batch_norm 1d eval", "batchNorm", new String[] {"x", "weight", "bias"},
                (dt, g) -> new Tensor[] {r(dt, g, 2, 5, 3), r(dt, g, 1, 3), r(dt, g, 1, 3)},
                in -> F.batchNorm(in[0], in[1], in[2], Tensor.full(in[0].dtype, 0.3, 3), Tensor.full(in[0].dtype, 1.7, 3), false, 0.1, 1e-5)));
        c.add(new OpCase("dropout", "dropout", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 4, 6)},
                in -> F.dropout(in[0], 0.4, true, new SplittableRandom(7))));
        c.add(new OpCase("reshape", "reshape", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 3, 4)},
                in -> F.reshape(in[0], 4, -1)));
        c.add(new OpCase("flatten", "flatten", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 3, 2)}, in -> F.flatten(in[0])));
        c.add(new OpCase("cross_entropy", "crossEntropy", new String[] {"logits"}, (dt, g) -> new Tensor[] {r(dt, g, 2, 4, 5)},
                in -> F.crossEntropy(in[0], new int[] {1, 0, 4, 2})));
        c.add(new OpCase("mse_loss", "mseLoss", new String[] {"a", "b"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 3, 4), r(dt, g, 1, 3, 4)},
                in -> F.mseLoss(in[0], in[1])));
        // ids repeat (row 1 twice), so that a row receiving two gradients is checked
        c.add(new OpCase("embedding", "embedding", new String[] {"weight"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 5, 3)},
                in -> F.embedding(Tensor.of(in[0].dtype, new int[] {2, 3}, new double[] {1, 4, 1, 0, 2, 3}), in[0])));
        c.add(new OpCase("last", "last", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 4, 3)}, in -> F.last(in[0])));
        c.add(new OpCase("meanpool", "meanOverTime", new String[] {"x"}, (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 4, 3)}, in -> F.meanOverTime(in[0])));
        // targets in (0, 1): soft labels, so that the gradient to them is checked as well
        c.add(new OpCase("binary_cross_entropy_with_logits", "bceWithLogits", new String[] {"logits", "targets"},
                (dt, g) -> new Tensor[] {r(dt, g, 3, 3, 4), Tensor.full(dt, 0.25, 3, 4).requiresGrad(true)}, in -> F.bceWithLogits(in[0], in[1])));
        // recurrent layers over 4 steps: enough for the gradient to pass through the recurrence three times
        c.add(recurrent("rnn tanh", "rnn", 1, in -> F.rnn(in[0], in[1], in[2], in[3], in[4], false, null)));
        c.add(recurrent("rnn relu", "rnn", 1, in -> F.rnn(in[0], in[1], in[2], in[3], in[4], true, null)));
        c.add(recurrent("lstm", "lstm", 4, in -> F.lstm(in[0], in[1], in[2], in[3], in[4], null)));
        c.add(recurrent("gru", "gru", 3, in -> F.gru(in[0], in[1], in[2], in[3], in[4], null)));
        return c;
    }

    /** A recurrent layer of 3 units over x [2, 4, 3], weights scaled to keep the gates off saturation. */
    private static OpCase recurrent(String name, String covers, int gates, GradCheck.Fn fn) {
        int h = 3, gh = gates * h;
        return new OpCase(name, covers, new String[] {"x", "weight_ih", "weight_hh", "bias_ih", "bias_hh"},
                (dt, g) -> new Tensor[] {r(dt, g, 1, 2, 4, 3), r(dt, g, 0.5, gh, 3), r(dt, g, 0.5, gh, h), r(dt, g, 0.5, gh), r(dt, g, 0.5, gh)}, fn);
    }

    /** The names of the {@link F} methods the cases cover. */
    public static Set<String> covered() {
        Set<String> s = new java.util.TreeSet<>();
        for (OpCase c : cases()) s.add(c.covers());
        return s;
    }

    /** Checks one case. */
    public static CheckResult check(OpCase c, CheckOptions o) {
        Tensor[] in = c.inputs().make(o.dtype(), Rand.stream(o.seed(), c.name()));
        return GradCheck.check(c.name(), c.fn(), in, c.inputNames(), o);
    }
}
