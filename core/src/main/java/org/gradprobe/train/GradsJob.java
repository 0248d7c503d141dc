package org.gradprobe.train;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * What {@code gradprobe grads} does: load weights and a batch from safetensors, run one pass of a loss
 * (mean cross-entropy by default, mse, bce-logits) and write {@code loss}, {@code param.<name>},
 * {@code node.<layer>} and {@code value.<layer>} to safetensors, so that every number can be held
 * against PyTorch.
 *
 * <p>The batch file holds {@code input} [N, ...input shape] (F32 or F64) and {@code target}: for
 * cross-entropy I64 (or I32) class indices, [N] for an output [C] a sample, [N, T] for an output
 * [T, C] (one class a step); for mse and bce-logits F32 or F64 values shaped as the output, [N, ...output
 * shape].
 */
public final class GradsJob {
    private GradsJob() {}

    /** Builds the model for {@code spec}, loads {@code weights} into it and converts it to {@code dtype}. */
    public static Model loadModel(String spec, int[] input, Path weights, DType dtype) {
        Model model = ModelSpec.build(spec, input, dtype, Init.pytorchDefault(), 0);
        Checkpoint.load(model, weights);
        return model;
    }

    /** The batch file's {@code input} (converted to {@code dtype}) and its {@code target}. */
    public record Batch(Tensor input, Targets targets) {}

    /** A batch for cross-entropy with one class index a sample, [N], of no bounded number of classes. */
    public static Batch loadBatch(Path file, DType dtype, int[] sampleShape) {
        return loadBatch(file, dtype, sampleShape, null, Loss.CROSS_ENTROPY);
    }

    /**
     * The batch file's {@code input} [N, ...sampleShape] and {@code target} as {@code loss} takes it (see
     * the class comment), for a model whose output a sample is {@code outputShape} (null: not known, then
     * class indices are one a sample, of any number of classes); dtypes and shapes are checked from the
     * header before any data is read.
     */
    public static Batch loadBatch(Path file, DType dtype, int[] sampleShape, int[] outputShape, Loss loss) {
        SafeTensors.Contents b = SafeTensors.read(file);
        SafeTensors.Entry in = b.require("input"), t = b.require("target");
        if (!in.dtype().equals("F32") && !in.dtype().equals("F64")) {
            throw new IllegalArgumentException(file + ": input has dtype " + in.dtype() + ", expected F32 or F64");
        }
        boolean classes = loss.classTargets();
        if (classes && !t.dtype().equals("I64") && !t.dtype().equals("I32")) {
            throw new IllegalArgumentException(file + ": target has dtype " + t.dtype() + ", expected I64 class indices (or I32) for " + loss.key());
        }
        if (!classes && !t.dtype().equals("F32") && !t.dtype().equals("F64")) {
            throw new IllegalArgumentException(file + ": target has dtype " + t.dtype() + ", expected F32 or F64 values for " + loss.key());
        }
        int[] xs = in.shape();
        if (xs.length != sampleShape.length + 1 || !Arrays.equals(Shapes.dropFirst(xs), sampleShape)) {
            throw new ShapeException(file + ": input has shape " + Shapes.str(xs) + ", the model needs [N, "
                    + Shapes.dims(sampleShape).replace("x", ", ") + "]");
        }
        if (xs[0] == 0) throw new IllegalArgumentException(file + ": empty batch: input has shape " + Shapes.str(xs) + ", expected N >= 1 samples");
        if (!classes) {
            if (outputShape == null) throw new IllegalArgumentException(loss.key() + " targets are shaped as the output: give the model's output shape");
            int[] expected = Shapes.prepend(xs[0], outputShape);
            if (!Arrays.equals(t.shape(), expected)) {
                throw new ShapeException(file + ": target has shape " + Shapes.str(t.shape()) + ", expected " + Shapes.str(expected)
                        + " (values shaped as the model's output, for " + loss.key() + ")");
            }
            return new Batch(in.toTensor().to(dtype), Targets.values(t.toTensor().to(dtype)));
        }
        // one class index a sample for an output [C]; one a step for an output [T, C]
        int[] expected = outputShape == null || outputShape.length <= 1 ? new int[] {xs[0]}
                : Shapes.prepend(xs[0], Arrays.copyOf(outputShape, outputShape.length - 1));
        int classCount = outputShape == null ? Integer.MAX_VALUE : outputShape[outputShape.length - 1];
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ShapeException(file + ": target has shape " + Shapes.str(t.shape()) + ", expected " + Shapes.str(expected)
                    + (expected.length == 1 ? " (one class per input)" : " (one class per step of each input)"));
        }
        long[] raw = t.toLongs();
        int[] targets = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < 0 || raw[i] >= classCount) {
                throw new IllegalArgumentException(file + ": target " + raw[i] + " at index " + i + " is not a class index"
                        + (classCount == Integer.MAX_VALUE ? " (expected >= 0)" : " of the model's " + classCount + " outputs (expected 0.." + (classCount - 1) + ")"));
            }
            targets[i] = (int) raw[i];
        }
        return new Batch(in.toTensor().to(dtype), Targets.classes(targets, expected));
    }

    /** Runs a pass of mean cross-entropy and returns the writer holding everything (not yet written). */
    public static SafeTensors.Writer run(Model model, Batch batch, boolean training) {
        return run(model, batch, training, Loss.CROSS_ENTROPY);
    }

    /** Runs the pass of {@code loss} and returns the writer holding everything (not yet written); the metadata names the loss. */
    public static SafeTensors.Writer run(Model model, Batch batch, boolean training, Loss loss) {
        GradCapture g = GradCapture.run(model, batch.input(), batch.targets(), training, 0, loss);
        SafeTensors.Writer w = new SafeTensors.Writer();
        w.put("loss", g.loss());
        for (Map.Entry<String, Tensor> e : g.paramGrads().entrySet()) w.put("param." + e.getKey(), e.getValue());
        for (Map.Entry<String, Tensor> e : g.nodeGrads().entrySet()) w.put("node." + e.getKey(), e.getValue());
        for (Map.Entry<String, Tensor> e : g.values().entrySet()) w.put("value." + e.getKey(), e.getValue().detach());
        w.metadata("spec", model.spec()).metadata("input", Shapes.dims(model.inputShape()))
                .metadata("dtype", model.dtype().toString()).metadata("mode", training ? "train" : "eval").metadata("loss", loss.key());
        return w;
    }
}
