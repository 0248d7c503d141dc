package org.gradprobe.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.report.ProbeLog;
import org.gradprobe.report.TerminalReport;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.MemoryEstimate;
import org.gradprobe.train.Provenance;
import org.gradprobe.train.Trainer;
import org.gradprobe.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** gradprobe train: trains a network and writes a run folder (checkpoint and metrics log). */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network on images or sequences (--data) with the gradient probe on, and write a run folder: model.safetensors (the "
                + "checkpoint, PyTorch state_dict names), metrics.jsonl (provenance, running loss, test accuracy or loss, every probed node) "
                + "and report.html (charts and verdicts). The verdict table is printed after each epoch.",
            "The defaults are the seed recipe: seed-cnn, SGD lr 0.001 momentum 0.9, batch 4, cross-entropy, x/255 normalized "
                + "with mean 0.5 std 0.5."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Mixin ModelOptions modelOptions;
    @Mixin DataOptions dataOptions;

    @Option(names = "--epochs", defaultValue = "1", converter = Converters.PositiveInt.class, description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "4", converter = Converters.PositiveInt.class, description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", converter = Converters.Positive.class, description = "Learning rate (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", converter = Converters.NonNegativeInt.class, description = "Train on the first N training samples only (0: all).")
    int limit;

    @Option(names = "--log-every", defaultValue = "2000", paramLabel = "STEPS", converter = Converters.PositiveInt.class,
            description = "Print the running loss every STEPS mini-batches, as the seed's loop (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Mixin ThreadsOption threadsOption;

    @Option(names = "--probe-every", paramLabel = "K", defaultValue = "" + ProbeConfig.DEFAULT_EVERY, converter = Converters.PositiveInt.class,
            description = "Record every node every K steps (default: ${DEFAULT-VALUE}; under 1%% of training at batch 64, while K = 1 costs about "
                    + "15%% there and more at small batches: see gradprobe bench); NaN/Inf is checked at every step regardless.")
    int probeEvery;

    @Option(names = "--no-probe", description = "Train without the probe (no verdicts, no report).")
    boolean noProbe;

    @Option(names = "--on-nonfinite", paramLabel = "stop|skip|continue", defaultValue = "stop",
            description = "When a step produces NaN/Inf: stop training (keeping the last good checkpoint), skip that update, or continue "
                    + "(default: ${DEFAULT-VALUE}).")
    String onNonFinite;

    @Option(names = "--out", paramLabel = "DIR", converter = Converters.NonEmptyPath.class, description = "Run folder (default: runs/<time>-<model>).")
    Path out;

    @Option(names = "--overwrite", description = "Replace the run already in the --out folder (without it, such a folder is refused).")
    boolean overwrite;

    @Override
    public Integer call() {
        threadsOption.apply();
        validate();
        Path dir = out != null ? out : RunFolder.fresh(Path.of("runs"), LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + modelOptions.model.replaceAll("[^A-Za-z0-9-]+", "_").replaceAll("_+$", ""));
        int stray = RunFolder.prepare(dir, "--out", overwrite);
        SampleSet.Split data = dataOptions.load(Converters.dims("--input", modelOptions.input), modelOptions.model, modelOptions.seed);
        Loss objective = DataOptions.loss(loss, data.train());
        int trainSamples = limit > 0 ? Math.min(limit, data.train().size()) : data.train().size();
        MemoryCheck.require("train", modelOptions.plan(data.train().sampleShape()), modelOptions.dtype,
                MemoryEstimate.Job.training(batch, trainSamples, MemoryCheck.optimizerState(optimizerOptions), !noProbe,
                        Math.min(Trainer.Settings.defaults().evalBatch(), data.test().size())), batch, "--batch", DataOptions.bytes(data),
                Runtime.getRuntime().maxMemory());
        Model model = modelOptions.buildTrainable(data.train().sampleShape());
        Optimizer opt = optimizerOptions.build(model.parameters(), lr);
        Trainer.Settings settings = Trainer.Settings.defaults().withEpochs(epochs).withBatchSize(batch).withSeed(modelOptions.seed)
                .withNormalization(dataOptions.mean, dataOptions.std).withClipNorm(clipNorm).withClipValue(clipValue).withLimit(limit)
                .withLoss(objective);
        System.out.println("data: " + data.source() + " (" + data.train().size() + " training, " + data.test().size() + " test " + data.train().unit()
                + (limit > 0 && limit < data.train().size() ? "; training on the first " + limit : "") + ")");
        System.out.println("model: " + model.spec());
        System.out.println("optimizer: " + opt.describe() + ", batch " + batch + ", " + model.dtype() + ", loss " + objective.key());
        System.out.println("run folder: " + dir + (stray > 0 ? " (removed " + stray + " temporary files an interrupted run left)" : ""));
        Doing.now("training " + modelOptions.model + " at batch " + batch, "--batch (" + batch + ") or the model's size");
        Trainer trainer = new Trainer(model, opt, settings);
        Probe probe = noProbe ? null : Probe.attach(trainer, ProbeConfig.defaults().withEvery(probeEvery))
                .onNonFinite(Probe.OnNonFinite.valueOf(onNonFinite.toUpperCase(java.util.Locale.ROOT)));
        Map<String, Object> recorded = settings(model, opt, objective);
        if (probe != null) recorded.put("probe", ProbeLog.describe(probe));
        try (RunFolder run = new RunFolder(dir, model, Provenance.of(Main.VERSION, "train", model.spec(), recorded, modelOptions.seed));
             Interrupts interrupts = new Interrupts(trainer::requestStop)) {
            // the initial weights, so that a run killed before its first epoch ends leaves a loadable checkpoint
            run.checkpoint("the initial weights");
            trainer.addListener(new ConsoleProgress(logEvery, run));
            ProbeLog log = probe == null ? null : new ProbeLog(run.log(), probe);
            if (probe != null) {
                trainer.addListener(log).addListener(new TrainingListener() {
                    @Override
                    public void onNonFinite(NonFinite e) {
                        System.out.println(e.describe() + " -> " + onNonFinite);
                    }

                    @Override
                    public void onEpoch(int epoch, Evaluation test) {
                        System.out.print(TerminalReport.render(probe, Diagnosis.of(probe), Flags::remedy));
                    }
                });
            }
            Evaluation last = trainer.fit(data.train(), data.test());
            String signal = interrupts.received();
            if (signal != null) run.log(RunFolder.stopped("SIG" + signal, trainer.steps()));
            trainer.clipping().ifPresent(c -> {
                System.out.println(c.summary());
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("type", "clipping");
                rec.putAll(c.toJson());
                run.log(rec);
            });
            if (probe != null) {
                log.verdicts(Diagnosis.of(probe), 0);
                Path html = run.writeReports();
                System.out.println("report: " + html + "; TensorBoard: tensorboard --logdir " + dir.resolve("tensorboard"));
            }
            if (signal != null) {
                System.err.println("gradprobe: stopped by SIG" + signal + " after step " + trainer.steps() + "; kept " + dir.resolve(RunFolder.CHECKPOINT)
                        + " (" + run.checkpointed() + ")" + (probe != null ? ", the report and the verdicts so far" : "") + " in " + dir);
                return Interrupts.exitCode(signal);
            }
            if (last != null && last.hasAccuracy()) {
                System.out.printf("finished: test accuracy %.2f%%, test loss %.4f; run folder %s%n", 100 * last.accuracy(), last.loss(), dir);
            } else if (last != null) {
                System.out.printf("finished: test loss %.4f (%s; no accuracy: the targets are values); run folder %s%n", last.loss(), objective.key(), dir);
            }
        }
        return 0;
    }

    private void validate() {
        if (!onNonFinite.matches("stop|skip|continue")) {
            throw new UsageException("invalid --on-nonfinite: '" + onNonFinite + "' (expected stop, skip or continue)");
        }
        optimizerOptions.validate();
        if (noProbe) OptionRules.refuse(commandSpec, "does not apply with --no-probe (the probe is off)", "--probe-every", "--on-nonfinite");
    }

    private Map<String, Object> settings(Model model, Optimizer opt, Loss objective) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("input", org.gradprobe.tensor.Shapes.dims(model.inputShape()));
        s.put("dtype", modelOptions.dtype.toString());
        s.put("init", modelOptions.parsedInit().toString());
        s.put("optimizer", opt.describe());
        s.put("loss", objective.key());
        s.put("epochs", epochs);
        s.put("batch", batch);
        s.put("clip_norm", clipNorm);
        s.put("clip_value", clipValue);
        s.put("limit", limit);
        s.put("data", dataOptions.recorded());
        s.put("mean", dataOptions.mean);
        s.put("std", dataOptions.std);
        return s;
    }
}
