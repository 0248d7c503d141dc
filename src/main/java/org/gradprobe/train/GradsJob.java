package org.gradprobe.train;

import java.nio.file.Path;
import java.util.Map;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * What {@code gradprobe grads} does: load weights and a batch from safetensors, run one pass of mean
 * cross-entropy and write {@code loss}, {@code param.<name>}, {@code node.<layer>} and
 * {@code value.<layer>} to safetensors, so that every number can be held against PyTorch.
 */
public final class GradsJob {
    private GradsJob() {}

    /** Builds the model for {@code spec}, loads {@code weights} into it and converts it to {@code dtype}. */
    public static Model loadModel(String spec, int[] input, Path weights, DType dtype) {
        Model model = ModelSpec.build(spec, input, dtype, Init.pytorchDefault(), 0);
        Checkpoint.load(model, weights);
        return model;
    }

    /** The batch file's {@code input} (converted to {@code dtype}) and {@code target} (class indices). */
    public record Batch(Tensor input, int[] targets) {}

    public static Batch loadBatch(Path file, DType dtype, int[] sampleShape) {
        return loadBatch(file, dtype, sampleShape, Integer.MAX_VALUE);
    }

    /**
     * The batch file's {@code input} [N, ...sampleShape] and {@code target} [N] (I64 or I32 class indices
     * below {@code classes}); dtypes and shapes are checked from the header before any data is read.
     */
    public static Batch loadBatch(Path file, DType dtype, int[] sampleShape, int classes) {
        SafeTensors.Contents b = SafeTensors.read(file);
        SafeTensors.Entry in = b.require("input"), t = b.require("target");
        if (!in.dtype().equals("F32") && !in.dtype().equals("F64")) {
            throw new IllegalArgumentException(file + ": input has dtype " + in.dtype() + ", expected F32 or F64");
        }
        if (!t.dtype().equals("I64") && !t.dtype().equals("I32")) {
            throw new IllegalArgumentException(file + ": target has dtype " + t.dtype() + ", expected I64 class indices (or I32)");
        }
        int[] xs = in.shape();
        if (xs.length != sampleShape.length + 1 || !java.util.Arrays.equals(Shapes.dropFirst(xs), sampleShape)) {
            throw new ShapeException(file + ": input has shape " + Shapes.str(xs) + ", the model needs [N, "
                    + Shapes.dims(sampleShape).replace("x", ", ") + "]");
        }
        if (xs[0] == 0) throw new IllegalArgumentException(file + ": empty batch: input has shape " + Shapes.str(xs) + ", expected N >= 1 samples");
        if (t.shape().length != 1 || t.shape()[0] != xs[0]) {
            throw new ShapeException(file + ": target has shape " + Shapes.str(t.shape()) + ", expected [" + xs[0] + "] (one class per input)");
        }
        long[] raw = t.toLongs();
        int[] targets = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < 0 || raw[i] >= classes) {
                throw new IllegalArgumentException(file + ": target " + raw[i] + " at index " + i + " is not a class index"
                        + (classes == Integer.MAX_VALUE ? " (expected >= 0)" : " of the model's " + classes + " outputs (expected 0.." + (classes - 1) + ")"));
            }
            targets[i] = (int) raw[i];
        }
        return new Batch(in.toTensor().to(dtype), targets);
    }

    /** Runs the pass and returns the writer holding everything (not yet written). */
    public static SafeTensors.Writer run(Model model, Batch batch, boolean training) {
        GradCapture g = GradCapture.run(model, batch.input(), batch.targets(), training, 0, Loss.CROSS_ENTROPY);
        SafeTensors.Writer w = new SafeTensors.Writer();
        w.put("loss", g.loss());
        for (Map.Entry<String, Tensor> e : g.paramGrads().entrySet()) w.put("param." + e.getKey(), e.getValue());
        for (Map.Entry<String, Tensor> e : g.nodeGrads().entrySet()) w.put("node." + e.getKey(), e.getValue());
        for (Map.Entry<String, Tensor> e : g.values().entrySet()) w.put("value." + e.getKey(), e.getValue().detach());
        w.metadata("spec", model.spec()).metadata("input", Shapes.dims(model.inputShape()))
                .metadata("dtype", model.dtype().toString()).metadata("mode", training ? "train" : "eval");
        return w;
    }
}
