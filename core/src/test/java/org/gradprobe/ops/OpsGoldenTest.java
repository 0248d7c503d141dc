package org.gradprobe.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.gradprobe.Golden;
import org.gradprobe.autograd.Backward;
import org.gradprobe.io.Json;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every op's forward and backward against PyTorch (scripts/make_golden.py), in float64 and float32. */
class OpsGoldenTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String file : new String[] {"ops_f64.safetensors", "ops_f32.safetensors"}) {
            SafeTensors.Contents c = Golden.load(file);
            for (String name : c.metadata().keySet()) out.add(Arguments.of(file, name));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} ({0})")
    @MethodSource("cases")
    void forwardAndBackwardMatchPyTorch(String file, String name) {
        SafeTensors.Contents c = Golden.load(file);
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) Json.parse(c.metadata().get(name));
        List<Tensor> ins = new ArrayList<>();
        for (int i = 0; c.entries().containsKey(name + ".in." + i); i++) {
            ins.add(c.require(name + ".in." + i).toTensor(file).requiresGrad(true));
        }
        Tensor gout = c.require(name + ".gout").toTensor(file);
        DType dt = gout.dtype;
        Tensor rm = null, rv = null;
        if (settings.get("op").equals("batch_norm")) {
            rm = Tensor.of(dt, new int[] {ins.get(1).numel()}, doubles(settings.get("running_mean")));
            rv = Tensor.of(dt, new int[] {ins.get(1).numel()}, doubles(settings.get("running_var")));
        }
        Tensor out = apply(settings, ins, rm, rv);
        Golden.assertClose(name + " forward", out, c.require(name + ".out").toTensor(file), Golden.tol(dt));
        Backward.backward(out, gout, null);
        for (int i = 0; i < ins.size(); i++) {
            Tensor g = ins.get(i).grad();
            assertNotNull(g, name + ": no gradient for input " + i);
            Golden.assertClose(name + " grad of input " + i, g, c.require(name + ".grad." + i).toTensor(file), Golden.tol(dt));
        }
        if (c.entries().containsKey(name + ".running_mean")) {
            Golden.assertClose(name + " running_mean", rm, c.require(name + ".running_mean").toTensor(file), Golden.tol(dt));
            Golden.assertClose(name + " running_var", rv, c.require(name + ".running_var").toTensor(file), Golden.tol(dt));
        }
        assertFalse(out.isLeaf(), name + ": output has no graph");
    }

    private static double[] doubles(Object list) {
        List<?> l = (List<?>) list;
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).doubleValue();
        return a;
    }

    private static int num(Map<String, Object> s, String k) {
        return ((Number) s.get(k)).intValue();
    }

    static Tensor apply(Map<String, Object> s, List<Tensor> in, Tensor rm, Tensor rv) {
        Tensor b = in.size() > 2 ? in.get(2) : null;
        switch ((String) s.get("op")) {
            case "conv2d": return F.conv2d(in.get(0), in.get(1), b, num(s, "stride"), num(s, "padding"));
            case "maxpool2d": return F.maxPool2d(in.get(0), num(s, "k"), num(s, "stride"));
            case "avgpool2d": return F.avgPool2d(in.get(0), num(s, "k"), num(s, "stride"));
            case "linear": return F.linear(in.get(0), in.get(1), b);
            case "matmul": return F.matmul(in.get(0), in.get(1));
            case "add": return F.add(in.get(0), in.get(1));
            case "relu": return F.relu(in.get(0));
            case "leaky_relu": return F.leakyRelu(in.get(0), ((Number) s.get("slope")).doubleValue());
            case "sigmoid": return F.sigmoid(in.get(0));
            case "tanh": return F.tanh(in.get(0));
            case "gelu": return F.gelu(in.get(0));
            case "log_softmax": return F.logSoftmax(in.get(0));
            case "mse_loss": return F.mseLoss(in.get(0), in.get(1));
            case "binary_cross_entropy_with_logits": return F.bceWithLogits(in.get(0), in.get(1));
            case "last": return F.last(in.get(0));
            case "embedding": {
                List<?> ids = (List<?>) s.get("ids");
                double[] v = new double[ids.size()];
                for (int i = 0; i < v.length; i++) v[i] = ((Number) ids.get(i)).doubleValue();
                return F.embedding(Tensor.of(in.get(0).dtype, new int[] {2, v.length / 2}, v), in.get(0));
            }
            case "meanpool": return F.meanOverTime(in.get(0));
            case "rnn_tanh": case "rnn_relu":
                return F.rnn(in.get(0), in.get(1), in.get(2), arg(in, 3), arg(in, 4), s.get("op").equals("rnn_relu"), null);
            case "lstm": return F.lstm(in.get(0), in.get(1), in.get(2), arg(in, 3), arg(in, 4), null);
            case "gru": return F.gru(in.get(0), in.get(1), in.get(2), arg(in, 3), arg(in, 4), null);
            case "flatten": return F.flatten(in.get(0));
            case "cross_entropy": {
                List<?> t = (List<?>) s.get("targets");
                int[] targets = new int[t.size()];
                for (int i = 0; i < targets.length; i++) targets[i] = ((Number) t.get(i)).intValue();
                return F.crossEntropy(in.get(0), targets);
            }
            case "batch_norm":
                return F.batchNorm(in.get(0), in.get(1), in.get(2), rm, rv, (Boolean) s.get("training"),
                        ((Number) s.get("momentum")).doubleValue(), ((Number) s.get("eps")).doubleValue());
            default: throw new IllegalArgumentException("no golden dispatch for op " + s.get("op"));
        }
    }

    private static Tensor arg(List<Tensor> in, int i) {
        return i < in.size() ? in.get(i) : null;
    }
}
