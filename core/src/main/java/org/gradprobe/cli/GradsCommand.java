package org.gradprobe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.DType;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.train.GradsJob;
import org.gradprobe.train.MemoryEstimate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** gradprobe grads: every gradient of one batch, to hold against PyTorch. */
@Command(name = "grads", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one forward and backward pass of a mean loss and write, in safetensors: loss, param.<name> "
                + "(every parameter's gradient), node.<layer> (the gradient at every layer's output) and value.<layer> (every "
                + "layer's output).",
            "The batch file holds 'input' [N,...] (F32 or F64) and 'target': for cross-entropy int64 class indices, [N] for a "
                + "model's output [C], [N,T] for an output [T,C] (per token); for mse and bce-logits F32 or F64 values shaped as "
                + "the output, [N,...]. scripts/gradprobe_torch.py does the same in PyTorch and compares the two files."})
final class GradsCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC", converter = Converters.NonEmpty.class, description = "Network spec or built-in name.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "CxHxW",
            description = "Per-sample input shape, e.g. 1x28x28.")
    String input;

    @Option(names = "--weights", required = true, paramLabel = "FILE", converter = Converters.NonEmptyPath.class, description = "Weights (safetensors, state_dict names).")
    Path weights;

    @Option(names = "--batch", required = true, paramLabel = "FILE", converter = Converters.NonEmptyPath.class, description = "Batch (safetensors: input, target).")
    Path batch;

    @Option(names = "--out", required = true, paramLabel = "FILE", converter = Converters.NonEmptyPath.class, description = "Output file (safetensors), written atomically.")
    Path out;

    @Option(names = "--loss", paramLabel = "cross-entropy|mse|bce-logits", defaultValue = "cross-entropy", converter = Converters.LossConverter.class,
            description = "Loss (mean, as PyTorch's F.cross_entropy, F.mse_loss, F.binary_cross_entropy_with_logits; default: ${DEFAULT-VALUE}).")
    Loss loss;

    @Option(names = "--dtype", paramLabel = "float32|float64", defaultValue = "float64", converter = Converters.DTypeConverter.class,
            description = "Element type of the computation (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--mode", paramLabel = "train|eval", defaultValue = "train",
            description = "train: batch norm uses batch statistics, dropout is active; eval: running statistics, no dropout "
                    + "(default: ${DEFAULT-VALUE}).")
    String mode;

    @Override
    public Integer call() {
        if (!mode.equals("train") && !mode.equals("eval")) throw new UsageException("invalid --mode: '" + mode + "' (expected train or eval)");
        OptionRules.notSameFile("--out", out, "--weights", weights);
        OptionRules.notSameFile("--out", out, "--batch", batch);
        int[] shape = Converters.dims("--input", input);
        ModelSpec.Plan plan = ModelSpec.plan(model, shape);
        MemoryCheck.require("grads", plan, dtype, MemoryEstimate.Job.forward(1), "--batch", 0);   // the weights, before reading them
        Model m = GradsJob.loadModel(model, shape, weights, dtype);
        int[] outputs = m.outputShape();
        GradsJob.Batch b = GradsJob.loadBatch(batch, dtype, shape, outputs, loss);
        // one batch's pass; every layer's output and gradient are kept for the file, as a step keeps them
        MemoryCheck.require("grads", plan, dtype, new MemoryEstimate.Job(b.targets().samples(), 0, true, 0, false, 0), "the batch file's N",
                (long) b.input().numel() * (dtype == DType.FLOAT32 ? 4 : 8));
        NonFiniteInputs.warn(weights.toString(), m.stateDict());
        NonFiniteInputs.warn(batch.toString(), "input", b.input());
        Doing.now("computing the gradients of " + batch + " (" + b.targets().samples() + " samples)", "the number of samples in " + batch);
        SafeTensors.Writer w = GradsJob.run(m, b, mode.equals("train"), loss);
        w.write(out);
        System.out.println("wrote " + out + " (" + loss.key() + " loss, " + m.parameters().size() + " parameter gradients, " + m.allLayers().size()
                + " node gradients and values)");
        return 0;
    }
}
