package org.gradprobe.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * A sequential network built from a {@link ModelSpec}: its layers, its per-sample input shape, and
 * its parameters and buffers under PyTorch's state_dict names ({@code conv1.weight}, {@code 3.bias},
 * {@code 2.0.running_mean}).
 */
public final class Model {
    private final String spec;
    private final int[] inputShape;
    private final List<Layer> layers;
    private DType dtype;

    Model(String spec, int[] inputShape, List<Layer> layers, DType dtype) {
        this.spec = spec;
        this.inputShape = inputShape.clone();
        this.layers = List.copyOf(layers);
        this.dtype = dtype;
    }

    /**
     * A sequential model of the given layers (built by hand, for layers that no spec names: a custom
     * {@link Layer} subclass). Each layer's input shape must be the previous layer's output shape.
     */
    public static Model sequential(int[] inputShape, DType dtype, List<Layer> layers) {
        int[] shape = inputShape;
        for (Layer l : layers) {
            if (!Arrays.equals(l.inShape(), shape)) {
                throw new ShapeException("layer " + l.name() + " takes " + Shapes.str(l.inShape()) + " but receives " + Shapes.str(shape));
            }
            shape = l.outShape();
        }
        return new Model(ModelSpec.describe(layers), inputShape, layers, dtype);
    }

    /** Runs the network on a batch x [N, inputShape...]. */
    public Tensor forward(Tensor x, ForwardContext ctx) {
        int[] s = x.shape();
        if (s.length != inputShape.length + 1 || !Arrays.equals(Shapes.dropFirst(s), inputShape)) {
            throw new ShapeException("model expects input [N, " + Shapes.dims(inputShape).replace('x', ',').replace(",", ", ")
                    + "], got " + Shapes.str(s));
        }
        if (x.dtype != dtype) {
            throw new IllegalArgumentException("model is " + dtype + " but input is " + x.dtype + ": convert one with to()");
        }
        Tensor h = x;
        for (Layer l : layers) h = l.forward(h, ctx);
        return h;
    }

    /** The canonical spec text (names kept, defaults dropped). */
    public String spec() { return spec; }
    public int[] inputShape() { return inputShape.clone(); }
    public int[] outputShape() { return layers.get(layers.size() - 1).outShape(); }
    public DType dtype() { return dtype; }

    /** Top-level layers in order. */
    public List<Layer> layers() { return layers; }

    /** Every layer, nested ones included, in the order their outputs are produced by forward. */
    public List<Layer> allLayers() {
        List<Layer> out = new ArrayList<>();
        for (Layer l : layers) collect(l, out);
        return out;
    }

    private static void collect(Layer l, List<Layer> out) {
        for (Layer c : l.children()) collect(c, out);
        out.add(l);
    }

    /** Layers in module order (a parent before its children), as PyTorch lists a state_dict. */
    private List<Layer> moduleOrder() {
        List<Layer> out = new ArrayList<>();
        for (Layer l : layers) preOrder(l, out);
        return out;
    }

    private static void preOrder(Layer l, List<Layer> out) {
        out.add(l);
        for (Layer c : l.children()) preOrder(c, out);
    }

    /** Trainable parameters by full name, in state_dict order. */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Layer l : moduleOrder()) l.params.forEach((k, t) -> out.put(l.name() + "." + k, t));
        return out;
    }

    /** Parameters and buffers by full name, in PyTorch's state_dict order (num_batches_tracked aside). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Layer l : moduleOrder()) {
            l.params.forEach((k, t) -> out.put(l.name() + "." + k, t));
            l.buffers.forEach((k, t) -> out.put(l.name() + "." + k, t));
        }
        return out;
    }

    /** Batch-norm layers by name, for num_batches_tracked. */
    public Map<String, BatchNorm> batchNorms() {
        Map<String, BatchNorm> out = new LinkedHashMap<>();
        for (Layer l : moduleOrder()) if (l instanceof BatchNorm) out.put(l.name(), (BatchNorm) l);
        return out;
    }

    /**
     * Copies values from {@code state} into the parameters and buffers (dtype converted). Every entry of
     * the model must be present with the same shape; extra entries are an error unless they are
     * PyTorch's {@code num_batches_tracked}. Throws IllegalArgumentException naming the entry.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> mine = stateDict();
        List<String> missing = new ArrayList<>();
        for (String k : mine.keySet()) if (!state.containsKey(k)) missing.add(k);
        List<String> extra = new ArrayList<>();
        for (String k : state.keySet()) if (!mine.containsKey(k) && !k.endsWith(".num_batches_tracked")) extra.add(k);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException("weights do not fit the model: "
                    + (missing.isEmpty() ? "" : "missing " + missing) + (missing.isEmpty() || extra.isEmpty() ? "" : ", ")
                    + (extra.isEmpty() ? "" : "unexpected " + extra));
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                throw new ShapeException("weight " + e.getKey() + " has shape " + Shapes.str(src.shape()) + ", the model needs "
                        + Shapes.str(e.getValue().shape()));
            }
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) e.getValue().copyFrom(state.get(e.getKey()));
    }

    /** Converts every parameter and buffer to {@code to}. Gradients and optimizer state must be rebuilt. */
    public Model to(DType to) {
        for (Layer l : layers) l.to(to);
        this.dtype = to;
        return this;
    }

    public void zeroGrad() {
        for (Tensor p : parameters().values()) p.zeroGrad();
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters().values()) n += p.numel();
        return n;
    }

    /** One line per layer: name, kind, output shape, parameter count. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-12s %-28s %-16s %10s%n", "layer", "kind", "output", "params"));
        for (Layer l : allLayers()) {
            long n = 0;
            for (Tensor t : l.params.values()) n += t.numel();
            sb.append(String.format("%-12s %-28s %-16s %10d%n", l.name(), l.children().isEmpty() ? l.describe() : "residual(...)",
                    Shapes.dims(l.outShape()), n));
        }
        sb.append(String.format("input %s, %d parameters, %s%n", Shapes.dims(inputShape), parameterCount(), dtype));
        return sb.toString();
    }
}
