package org.gradprobe.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * One layer of a model: a name (its state_dict prefix), a kind as written in a spec, named parameters
 * declared in the constructor, named buffers (batch norm's running statistics), and a forward that is
 * a line or two calling {@link org.gradprobe.ops.F}. Shapes are per sample (no batch dimension).
 */
public abstract class Layer {
    private final String name;
    private final String kind;
    private final int[] inShape;
    private final int[] outShape;
    final Map<String, Tensor> params = new LinkedHashMap<>();
    final Map<String, Tensor> buffers = new LinkedHashMap<>();

    protected Layer(String name, String kind, int[] inShape, int[] outShape) {
        this.name = name;
        this.kind = kind;
        this.inShape = inShape.clone();
        this.outShape = outShape.clone();
    }

    /** The layer's output for a batch; {@code x} is [N, inShape...]. */
    public abstract Tensor forward(Tensor x, ForwardContext ctx);

    /** This layer's own spec text (kind and arguments), as it would be written in a SPEC. */
    public abstract String describe();

    public String name() { return name; }
    public String kind() { return kind; }
    public int[] inShape() { return inShape.clone(); }
    public int[] outShape() { return outShape.clone(); }

    /** Parameters by local name ("weight", "bias"). */
    public Map<String, Tensor> params() { return params; }

    /** Buffers by local name ("running_mean", "running_var"). */
    public Map<String, Tensor> buffers() { return buffers; }

    /** Nested layers (residual blocks); empty for plain layers. */
    public List<Layer> children() { return new ArrayList<>(); }

    protected Tensor param(String local, Tensor t) {
        params.put(local, t.requiresGrad(true));
        return t;
    }

    protected void buffer(String local, Tensor t) {
        buffers.put(local, t);
    }

    /** Converts parameters and buffers to {@code dtype} (new leaf tensors, gradients dropped). */
    void to(DType dtype) {
        params.replaceAll((k, t) -> t.dtype == dtype ? t : t.to(dtype).requiresGrad(true));
        buffers.replaceAll((k, t) -> t.dtype == dtype ? t : t.to(dtype));
        for (Layer c : children()) c.to(dtype);
    }

    /** Emits the output to the context's observer under this layer's name and returns it. */
    protected Tensor emit(Tensor out, ForwardContext ctx) {
        ctx.emit(name, this, out);
        return out;
    }
}
