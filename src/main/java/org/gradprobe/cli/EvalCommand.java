package org.gradprobe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gradprobe.data.DataException;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.nn.SpecException;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.train.Checkpoint;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.MemoryEstimate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** gradprobe eval: accuracy of a checkpoint on the test set. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a checkpoint on the test images: accuracy, loss, and accuracy per class.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, paramLabel = "FILE", converter = Converters.NonEmptyPath.class, description = "Checkpoint (safetensors), e.g. runs/…/model.safetensors.")
    Path weights;

    @Option(names = {"-m", "--model"}, paramLabel = "SPEC", converter = Converters.NonEmpty.class, description = "Network (default: the spec recorded in the checkpoint).")
    String model;

    @Option(names = "--input", paramLabel = "CxHxW",
            description = "Per-sample input shape (default: the checkpoint's, else the data's).")
    String input;

    @Option(names = "--dtype", paramLabel = "float32|float64", defaultValue = "float32", converter = Converters.DTypeConverter.class,
            description = "Element type (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--batch", defaultValue = "256", converter = Converters.PositiveInt.class, description = "Evaluation batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin DataOptions dataOptions;

    @Override
    public Integer call() {
        SafeTensors.Contents c = SafeTensors.read(weights);
        String spec = model != null ? model : c.metadata().get("spec");
        if (spec == null) throw new UsageException(weights + " records no model spec: give --model SPEC");
        FashionMnist.Split data = dataOptions.load();
        int[] in = Converters.dims("--input", input);
        if (in == null && model == null && c.metadata().get("input") != null) {
            try {
                in = Shapes.parseDims(c.metadata().get("input"));
            } catch (IllegalArgumentException e) {
                throw new DataException(weights + ": metadata 'input' is '" + c.metadata().get("input") + "', expected a shape such as 1x28x28 ("
                        + e.getMessage() + ")");
            }
        }
        if (in == null) in = data.test().sampleShape();
        Model m;
        try {
            MemoryCheck.require("eval", ModelSpec.plan(spec, in), dtype, MemoryEstimate.Job.forward(Math.min(batch, Math.max(1, data.test().size()))),
                    batch, "--batch", TrainCommand.pixelBytes(data), Runtime.getRuntime().maxMemory());
            m = ModelSpec.build(spec, in, dtype, Init.pytorchDefault(), 0);
        } catch (SpecException | ShapeException | UsageException e) {
            if (model != null) throw e;    // a model the user gave: the error is theirs, about their options
            throw new DataException(weights + ": the model its metadata records ('" + spec + "' on " + Shapes.dims(in) + ") cannot be built: "
                    + e.getMessage());
        }
        Checkpoint.load(m, weights);
        NonFiniteInputs.warn(weights.toString(), m.stateDict());
        Dataset test = data.test();
        Doing.now("evaluating " + spec + " at batch " + batch, "--batch (" + batch + ")");
        Evaluation e = Evaluation.run(m, test, batch, dataOptions.mean, dataOptions.std, Loss.CROSS_ENTROPY);
        System.out.printf("%s on %s: accuracy %.2f%% (%d images), loss %.4f%n", weights, data.source(), 100 * e.accuracy(), e.samples(), e.loss());
        System.out.print(Reports.perClass(e, test));
        return 0;
    }
}
