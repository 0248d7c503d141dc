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
        SafeTensors.Contents b = SafeTensors.read(file);
        Tensor x = b.require("input").toTensor(file.toString()).to(dtype);
        SafeTensors.Entry t = b.require("target");
        long[] raw = t.toLongs(file.toString());
        int[] xs = x.shape();
        if (xs.length != sampleShape.length + 1 || !java.util.Arrays.equals(Shapes.dropFirst(xs), sampleShape)) {
            throw new ShapeException(file + ": input has shape " + Shapes.str(xs) + ", the model needs [N, "
                    + Shapes.dims(sampleShape).replace("x", ", ") + "]");
        }
        if (t.shape().length != 1 || raw.length != xs[0]) {
            throw new ShapeException(file + ": target has shape " + Shapes.str(t.shape()) + ", expected [" + xs[0] + "] (one class per input)");
        }
        int[] targets = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < 0 || raw[i] > Integer.MAX_VALUE) throw new IllegalArgumentException(file + ": target " + raw[i] + " at " + i + " is not a class index");
            targets[i] = (int) raw[i];
        }
        return new Batch(x, targets);
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
