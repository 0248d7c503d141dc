package org.gradprobe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gradprobe.data.DataException;
import org.gradprobe.data.SampleSet;
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
        description = "Evaluate a checkpoint on the test set: accuracy, loss, and accuracy per class (images); for sequence data the loss "
                + "its targets are made for (cross-entropy, mse for --data adding), and the accuracy per token where the targets are classes.")
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
        int[] in = Converters.dims("--input", input);
        if (in == null && model == null && c.metadata().get("input") != null) {
            try {
                in = Shapes.parseDims(c.metadata().get("input"));
            } catch (IllegalArgumentException e) {
                throw new DataException(weights + ": metadata 'input' is '" + c.metadata().get("input") + "', expected a shape such as 1x28x28 ("
                        + e.getMessage() + ")");
            }
        }
        SampleSet.Split data = dataOptions.load(in, spec, 0);
        if (in == null) in = data.test().sampleShape();
        Model m;
        try {
            MemoryCheck.require("eval", ModelSpec.plan(spec, in), dtype, MemoryEstimate.Job.forward(Math.min(batch, Math.max(1, data.test().size()))),
                    batch, "--batch", DataOptions.bytes(data), Runtime.getRuntime().maxMemory());
            m = ModelSpec.build(spec, in, dtype, Init.pytorchDefault(), 0);
        } catch (SpecException | ShapeException | UsageException e) {
            if (model != null) throw e;    // a model the user gave: the error is theirs, about their options
            throw new DataException(weights + ": the model its metadata records ('" + spec + "' on " + Shapes.dims(in) + ") cannot be built: "
                    + e.getMessage());
        }
        Checkpoint.load(m, weights);
        NonFiniteInputs.warn(weights.toString(), m.stateDict());
        SampleSet test = data.test();
        Loss loss = DataOptions.loss(null, test);
        Doing.now("evaluating " + spec + " at batch " + batch, "--batch (" + batch + ")");
        Evaluation e = Evaluation.run(m, test, batch, dataOptions.mean, dataOptions.std, loss);
        System.out.printf("%s on %s: %s%n", weights, data.source(), ConsoleProgress.describe(e, test.unit(), ""));
        // per class for one class a sample (images); a sequence's tokens are too many classes for a table
        if (e.hasAccuracy() && e.predictions() == e.samples()) System.out.print(Reports.perClass(e, test));
        return 0;
    }
}
