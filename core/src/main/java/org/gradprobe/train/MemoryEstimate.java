package org.gradprobe.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.nn.ModelSpec.LayerPlan;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.StepMemory;

/**
 * The heap a job on a model will need, from the layer shapes of its {@link ModelSpec.Plan} alone (no
 * weight is allocated): the parameters, their gradients, the optimizer's float64 state and the probe's
 * copy of the weights; the arrays of one training step (each layer's output and its gradient, what an
 * op keeps for its backward rule: a convolution's unfolded input, a max-pool's argmax); and a test
 * evaluation's forward pass. It counts what the ops allocate (see {@code Conv2dOp}, {@code LinearOp},
 * {@code PoolOps}, {@code Unary}, {@code BatchNormOp}); since a step's arrays are reused by the next
 * ({@link StepMemory}), one step is counted, plus the short last batch of an epoch, whose arrays live
 * beside the full batch's until the next step.
 */
public final class MemoryEstimate {
    /** What a part of the need is, and so what lowers it. */
    public enum Kind {
        /** Parameters, their gradients, optimizer state: lowered by a smaller layer. */
        PARAMETERS,
        /** One step's activations and gradients: lowered by a smaller batch. */
        ACTIVATIONS
    }

    /** One layer's share of one kind. */
    public record Part(Kind kind, LayerPlan layer, long bytes) {}

    /**
     * What a job does with the model.
     *
     * @param batch          samples a step takes (at most the data set's size)
     * @param lastBatch      samples of an epoch's last, short batch (0: none)
     * @param backward       whether a backward pass runs (training, grads, gradient checks)
     * @param optimizerState float64 values of optimizer state per parameter element (SGD with momentum 1, Adam 2)
     * @param probeCopy      whether the probe keeps a copy of the weights to measure the update by
     * @param evalBatch      samples of a test evaluation's forward pass (0: none)
     */
    public record Job(int batch, int lastBatch, boolean backward, int optimizerState, boolean probeCopy, int evalBatch) {
        public static Job training(int batch, int dataSize, int optimizerState, boolean probe, int evalBatch) {
            int b = Math.min(batch, dataSize);
            return new Job(b, b > 0 ? dataSize % b : 0, true, optimizerState, probe, evalBatch);
        }

        public static Job forward(int batch) {
            return new Job(batch, 0, false, 0, false, 0);
        }
    }

    private final List<Part> parts;

    private MemoryEstimate(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The layers' shares, largest first. */
    public List<Part> parts() {
        List<Part> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingLong(Part::bytes).reversed());
        return sorted;
    }

    /** Bytes in all. */
    public long total() {
        long t = 0;
        for (Part p : parts) t = saturatedAdd(t, p.bytes());
        return t;
    }

    /** Bytes of one kind. */
    public long total(Kind kind) {
        long t = 0;
        for (Part p : parts) if (p.kind() == kind) t = saturatedAdd(t, p.bytes());
        return t;
    }

    /** The largest share of the kind that needs the most. */
    public Part dominant() {
        Kind k = total(Kind.PARAMETERS) >= total(Kind.ACTIVATIONS) ? Kind.PARAMETERS : Kind.ACTIVATIONS;
        return parts().stream().filter(p -> p.kind() == k).findFirst().orElse(parts().get(0));
    }

    /**
     * The need of {@code job} on {@code plan} in {@code dtype}. A tensor of the job whose element count
     * (batch × a layer's per-sample size) passes 2^31-1 throws {@link BatchOverflowException}.
     */
    public static MemoryEstimate of(ModelSpec.Plan plan, DType dtype, Job job) {
        int b = dtype == DType.FLOAT32 ? 4 : 8;
        List<Part> parts = new ArrayList<>();
        List<LayerPlan> layers = plan.allLayers();
        long[] step = new long[layers.size()], last = new long[layers.size()], eval = new long[layers.size()];
        stepBytes(plan, layers, job.batch(), b, job.backward(), step);
        if (job.lastBatch() > 0) stepBytes(plan, layers, job.lastBatch(), b, job.backward(), last);
        int evalPeak = -1;
        if (job.evalBatch() > 0) {
            // evaluation runs without a graph: a layer's input and output are alive at once, earlier ones are garbage
            stepBytes(plan, layers, job.evalBatch(), b, false, eval);
            for (int i = 0; i < layers.size(); i++) if (evalPeak < 0 || eval[i] > eval[evalPeak]) evalPeak = i;
        }
        for (int i = 0; i < layers.size(); i++) {
            LayerPlan l = layers.get(i);
            long p = l.parameterCount();
            // the weights; with a backward pass, the gradient the rule returns and the one kept in .grad
            long params = p * b * (job.backward() ? 3 : 1) + p * 8L * job.optimizerState() + (job.probeCopy() ? p * b : 0);
            if (params > 0) parts.add(new Part(Kind.PARAMETERS, l, params));
            long act = saturatedAdd(step[i], last[i]);
            if (i == evalPeak) act = saturatedAdd(act, eval[i]);
            if (act > 0) parts.add(new Part(Kind.ACTIVATIONS, l, act));
        }
        // the loss: softmax and its gradient over the logits, in float64
        LayerPlan top = plan.layers().get(plan.layers().size() - 1);
        long logits = (long) job.batch() * numel(top.out());
        parts.add(new Part(Kind.ACTIVATIONS, top, logits * (job.backward() ? 2 * 8 + b : 8)));
        // the input batch, made by Batches outside the step, and held by the first layer
        long input = (long) job.batch() * numel(plan.input()) * b;
        parts.add(new Part(Kind.ACTIVATIONS, layers.get(0), input));
        return new MemoryEstimate(mergeByLayer(parts));
    }

    private static List<Part> mergeByLayer(List<Part> parts) {
        List<Part> out = new ArrayList<>();
        for (Part p : parts) {
            int at = -1;
            for (int j = 0; j < out.size(); j++) if (out.get(j).kind() == p.kind() && out.get(j).layer() == p.layer()) at = j;
            if (at < 0) out.add(p);
            else out.set(at, new Part(p.kind(), p.layer(), saturatedAdd(out.get(at).bytes(), p.bytes())));
        }
        return out;
    }

    /**
     * Throws {@link BatchOverflowException} when a batch of {@code n} would make a tensor of more than
     * 2^31-1 elements anywhere in {@code plan} (the input, a layer's output, a convolution's unfolded input).
     */
    public static void checkBatch(ModelSpec.Plan plan, int n) {
        List<LayerPlan> layers = plan.allLayers();
        elements(firstComputing(plan), "input", n, plan.input());
        stepBytes(plan, layers, n, 8, true, new long[layers.size()]);
    }

    /** Each layer's arrays for a batch of {@code n}, forward (and backward), into {@code out}. */
    private static void stepBytes(ModelSpec.Plan plan, List<LayerPlan> layers, int n, int b, boolean backward, long[] out) {
        LayerPlan first = firstComputing(plan);
        for (int i = 0; i < layers.size(); i++) {
            LayerPlan l = layers.get(i);
            long in = elements(l, "input", n, l.in()), o = elements(l, "output", n, l.out());
            // the network's input needs no gradient; every later layer's does
            boolean inputGrad = backward && l != first;
            long bytes;
            switch (l.kind()) {
                case "conv2d": {
                    int[] w = l.params().get("weight");
                    long ck = (long) w[1] * w[2] * w[3], p = (long) l.out()[1] * l.out()[2];
                    long cols = elements(l, "unfolded input", n, ck, p);
                    bytes = (cols + o) * b;                                      // unfolded input, output
                    if (ck > 32) bytes += o * b * (backward ? 2 : 1);            // product, and the gradient in its layout
                    else if (backward) bytes += (long) n * w[0] * ck * b;        // each image's share of the weight gradient
                    if (inputGrad) bytes += in * b;
                    break;
                }
                case "linear":
                    bytes = o * b + (inputGrad ? in * b : 0);
                    break;
                case "maxpool2d":
                    bytes = o * b + o * 4 + (inputGrad ? in * b : 0);           // output, argmax, input gradient
                    break;
                case "avgpool2d":
                    bytes = in * 8 + o * (8 + b) + (inputGrad ? o * 8 + in * (8 + b) : 0);   // computed in float64 arrays
                    break;
                case "batchnorm":
                    bytes = in * (3 * 8 + b) + (backward ? in * (2 * 8 + b) : 0);  // x, x̂, y in float64; backward g, gx
                    break;
                case "dropout":
                    bytes = in * 8 + o * b + (inputGrad ? in * b : 0);          // a float64 mask
                    break;
                case "flatten":
                    bytes = 0;                                                  // a view
                    break;
                case "embedding":
                    bytes = o * b + (backward ? numel(l.params().get("weight")) * 8 : 0);   // output; the weight gradient summed in float64
                    break;
                case "rnn": case "lstm": case "gru": {
                    // per stacked layer (RecurrentOp): the input time-major, the gates of every step, the hidden (and LSTM cell)
                    // states, the output; backward, the gates' gradients (twice for the GRU) and the input's, time-major and back
                    int t = l.in()[0], h = l.out()[1];
                    bytes = 0;
                    for (int k = 0; l.params().containsKey("weight_ih_l" + k); k++) {
                        int[] wih = l.params().get("weight_ih_l" + k);
                        long d = wih[1], gh = wih[0];
                        long x = elements(l, "input", n, t, d), gates = elements(l, "gates", n, t, gh), states = elements(l, "states", n, t + 1L, h);
                        long fwd = x + gates + states * (l.kind().equals("lstm") ? 2 : 1) + elements(l, "output", n, t, h)
                                + (l.kind().equals("gru") ? elements(l, "output", n, t, h) + (long) n * gh : 0);
                        long bwd = gates * (l.kind().equals("gru") ? 2 : 1) + 3L * n * h + (inputGrad || k > 0 ? 2 * x : 0);
                        bytes += (fwd + (backward ? bwd : 0)) * b;
                    }
                    break;
                }
                case "residual":
                    bytes = o * b + (inputGrad ? in * b : 0);                   // the sum; backward, the two gradients summed
                    break;
                default:                                                        // activations: output, input gradient
                    bytes = o * b + (inputGrad ? in * b : 0);
                    break;
            }
            out[i] = bytes;
        }
    }

    private static LayerPlan firstComputing(ModelSpec.Plan plan) {
        List<LayerPlan> all = plan.allLayers();
        for (LayerPlan l : all) if (!l.kind().equals("flatten") && !l.kind().equals("residual")) return l;
        return all.get(0);
    }

    /** n × the per-sample dims; over 2^31-1 no tensor can hold it. */
    private static long elements(LayerPlan l, String what, int n, int[] shape) {
        long[] d = new long[shape.length];
        for (int i = 0; i < shape.length; i++) d[i] = shape[i];
        return elements(l, what, n, d);
    }

    private static long elements(LayerPlan l, String what, int n, long... dims) {
        long e = n;
        for (long d : dims) {
            e *= d;
            if (e > Integer.MAX_VALUE) throw new BatchOverflowException(l, what, n, dims);
        }
        return e;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }

    /** A batch whose tensor at some layer would have more than 2^31-1 elements. */
    public static final class BatchOverflowException extends IllegalArgumentException {
        private final transient LayerPlan layer;
        private final int batch;

        BatchOverflowException(LayerPlan layer, String what, int batch, long... dims) {
            super(describe(layer, what, batch, dims));
            this.layer = layer;
            this.batch = batch;
        }

        public LayerPlan layer() { return layer; }
        public int batch() { return batch; }

        private static String describe(LayerPlan l, String what, int n, long... dims) {
            StringBuilder s = new StringBuilder();
            long e = n;
            boolean over = false;
            for (long d : dims) {
                s.append(s.length() == 0 ? "" : "x").append(d);
                try {
                    e = Math.multiplyExact(e, d);
                } catch (ArithmeticException x) {
                    over = true;
                }
            }
            return "a batch of " + n + " × the " + what + " of " + l.where() + ", " + s + ", is " + (over ? "over 2^63" : String.format("%,d", e))
                    + " elements, more than a tensor holds (2^31-1)";
        }
    }

    /** Bytes in a short human form: "3.4 GB". */
    public static String human(long bytes) {
        if (bytes >= 1L << 40) return String.format("%.1f TB", bytes / 1e12);
        if (bytes >= 1L << 30) return String.format("%.1f GB", bytes / 1e9);
        return String.format("%.0f MB", Math.ceil(bytes / 1e6));
    }

    @Override
    public String toString() {
        return "MemoryEstimate[" + human(total()) + ", parameters " + human(total(Kind.PARAMETERS)) + ", activations "
                + human(total(Kind.ACTIVATIONS)) + "]";
    }

    /** For tests: the parts as layer name → bytes of one kind. */
    Map<String, Long> byLayer(Kind kind) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (Part p : parts) if (p.kind() == kind) m.put(p.layer().name(), p.bytes());
        return m;
    }
}
