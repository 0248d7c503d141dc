package org.gradprobe.cli;

import java.util.concurrent.Callable;
import org.gradprobe.data.SampleSet;
import org.gradprobe.data.Synthetic;
import org.gradprobe.io.Json;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.Builtins;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.report.TerminalReport;
import org.gradprobe.train.MemoryEstimate;
import org.gradprobe.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** gradprobe diagnose: a short probed training run that ends with the verdicts. */
@Command(name = "diagnose", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network for a few steps with the probe recording every node at every step, then judge the gradient "
                + "flow layer by layer: healthy, vanishing, exploding, dead, saturated, update_ratio or nonfinite, with the numbers "
                + "behind each verdict and what to change. Exit code 0 whatever the verdict.",
            "Thresholds (the README's verdict table): vanishing below 1e-3 of the output's gradient norm, exploding above 1e2, dead when over 80%% "
                + "of ReLU units never fire, saturated when over half of sigmoid/tanh outputs sit at their bounds, update ratio outside "
                + "[1e-6, 1e-1]; a verdict must hold over the last 10 recorded steps (their median for vanishing and exploding, 80%% of them "
                + "for the others), 3 steps at least unless a NaN or Inf stopped the run."})
final class DiagnoseCommand implements Callable<Integer> {
    @Mixin ModelOptions modelOptions;

    @Option(names = "--data", paramLabel = "DIR|synthetic|adding|text[:FILE]", converter = Converters.NonEmpty.class,
            description = "Data to train on: a folder of images (IDX or CIFAR-10 binary), 'synthetic' (random images with a learnable label, "
                    + "any input shape), " + DataOptions.SETS + ", or by default Fashion-MNIST (Debian's, else the bundled subset).")
    String data;

    @Option(names = "--lr", defaultValue = "0.01", converter = Converters.Positive.class, description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Mixin OptimizerOptions optimizerOptions;

    @Option(names = "--loss", paramLabel = "cross-entropy|mse|bce-logits", converter = Converters.LossConverter.class,
            description = "Loss (mean): cross-entropy against class indices (per token for outputs [T, C]), mse or bce-logits against "
                    + "float values (default: the data's: cross-entropy, mse for --data adding).")
    Loss loss;

    @Option(names = "--clip-norm", paramLabel = "MAX", converter = Converters.Positive.class, description = "Clip gradients to this global L2 norm (clip_grad_norm_).")
    Double clipNorm;

    @Option(names = "--clip-value", paramLabel = "MAX", converter = Converters.Positive.class, description = "Clamp every gradient element to ±MAX (clip_grad_value_).")
    Double clipValue;

    @Option(names = "--steps", defaultValue = "100", converter = Converters.PositiveInt.class, description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "32", converter = Converters.PositiveInt.class, description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    /** Images of --data synthetic. */
    static final int SYNTHETIC_IMAGES = 2048;

    private MemoryEstimate.Job job(int images) {
        return MemoryEstimate.Job.training(batch, images, MemoryCheck.optimizerState(optimizerOptions), true, 0);
    }

    @Override
    public Integer call() {
        optimizerOptions.validate();
        SampleSet train;
        Model model;
        if ("synthetic".equals(data)) {
            int[] in = Converters.dims("--input", modelOptions.input);
            if (in == null) in = Builtins.resolve(modelOptions.model).defaultInput();
            if (in == null) throw new UsageException("--input is needed for spec '" + modelOptions.model + "' (e.g. --input 1x28x28)");
            MemoryCheck.require("diagnose", modelOptions.plan(in), modelOptions.dtype, job(SYNTHETIC_IMAGES), batch, "--batch", 0, Runtime.getRuntime().maxMemory());
            model = modelOptions.buildTrainable(in);
            int classes = model.outputShape()[0];
            train = Synthetic.make(in, SYNTHETIC_IMAGES, classes, modelOptions.seed);
        } else {
            SampleSet.Split split = DataOptions.named(data, Converters.dims("--input", modelOptions.input), modelOptions.model, modelOptions.seed);
            train = split.train();
            DataOptions.loss(loss, train);
            MemoryCheck.require("diagnose", modelOptions.plan(train.sampleShape()), modelOptions.dtype, job(train.size()), batch, "--batch",
                    DataOptions.bytes(split), Runtime.getRuntime().maxMemory());
            model = modelOptions.buildTrainable(train.sampleShape());
        }
        Loss objective = DataOptions.loss(loss, train);
        Optimizer opt = optimizerOptions.build(model.parameters(), lr);
        Trainer.Settings settings = Trainer.Settings.defaults().withSteps(steps).withBatchSize(batch).withSeed(modelOptions.seed)
                .withClipNorm(clipNorm).withClipValue(clipValue).withLoss(objective);
        Doing.now("diagnosing " + modelOptions.model + " at batch " + batch, "--batch (" + batch + ") or the model's size");
        Diagnosis d = Diagnosis.run(model, opt, train, settings, ProbeConfig.defaults().withEvery(1));
        if (json) {
            System.out.println(Json.write(d.toJson()));
        } else {
            System.out.println("model: " + model.spec() + " on " + org.gradprobe.tensor.Shapes.dims(model.inputShape()) + ", "
                    + opt.describe() + ", " + objective.key() + ", " + d.steps() + " steps of batch " + batch + " on " + train.name());
            System.out.print(TerminalReport.render(d.probe(), d, Flags::remedy));
            if (d.clipping() != null) System.out.println(d.clipping().summary());
        }
        return 0;
    }
}
