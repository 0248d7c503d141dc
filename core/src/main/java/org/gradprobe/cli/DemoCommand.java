package org.gradprobe.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradprobe.autograd.GradMode;
import org.gradprobe.data.Batches;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.probe.Zoo;
import org.gradprobe.report.ProbeLog;
import org.gradprobe.report.TerminalReport;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.Provenance;
import org.gradprobe.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * gradprobe demo: the seed CNN trained briefly on real Fashion-MNIST images, what it learned and what
 * the probe saw of its gradients; then a broken network trained as briefly, whose verdicts fire.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train the seed CNN briefly on real Fashion-MNIST images with the seed recipe (SGD lr 0.001, momentum 0.9, "
                + "batch 4) with the probe on, show what it learned and the probe's verdict table; then train a broken network (the "
                + "zoo's deep-sigmoid: 10 sigmoid layers) as briefly and show its verdicts with their evidence and advice. Writes both "
                + "run folders (metrics.jsonl, report.html) under --out. Needs no download: without the full data set it uses the "
                + "subset shipped with gradprobe.")
final class DemoCommand implements Callable<Integer> {
    /** The broken network the demo shows beside the seed CNN. */
    static final String BROKEN = "deep-sigmoid";

    @Option(names = "--limit", defaultValue = "4000", paramLabel = "N", converter = Converters.PositiveInt.class, description = "Training images (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--test-limit", defaultValue = "1000", paramLabel = "N", converter = Converters.PositiveInt.class, description = "Test images (default: ${DEFAULT-VALUE}).")
    int testLimit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", converter = Converters.NonEmptyPath.class, description = "Where the two run folders go (default: runs/demo-<time>).")
    Path out;

    @Mixin ThreadsOption threadsOption;

    @Mixin DataOptions dataOptions;

    @Override
    public Integer call() {
        threadsOption.apply();
        FashionMnist.Split data = dataOptions.images("demo");
        Dataset train = data.train().head(limit);
        Dataset test = data.test().head(testLimit);
        Path dir = out != null ? out : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Model model = ModelSpec.build("seed-cnn", train.sampleShape(), DType.FLOAT32, Init.pytorchDefault(), seed);
        System.out.println("gradprobe demo: the seed CNN on real images, and what the probe saw of its gradients");
        System.out.println("  data   " + data.source() + ": " + train.size() + " training and " + test.size() + " test images");
        System.out.println("  model  " + model.spec() + " (" + model.parameterCount() + " parameters)");
        System.out.println("  recipe SGD lr 0.001 momentum 0.9, batch 4, cross-entropy, 1 epoch; the probe records every " + SEED_EVERY + "th step");
        System.out.println();
        Trainer.Settings settings = Trainer.Settings.defaults().withSeed(seed).withNormalization(dataOptions.mean, dataOptions.std);
        Evaluation before = Evaluation.run(model, test, settings.evalBatch(), settings.mean(), settings.std(), settings.loss());
        System.out.printf("before training: test accuracy %.1f%% (chance is 10%%), test loss %.3f%n", 100 * before.accuracy(), before.loss());
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.001, 0.9), settings)
                .addListener(new ConsoleProgress(Math.max(1, train.size() / 4 / 8), null));
        long t0 = System.nanoTime();
        Probed seedCnn = probed(trainer, ProbeConfig.defaults().withEvery(SEED_EVERY), train, test, dir.resolve("seed-cnn"));
        Evaluation after = seedCnn.test();
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.println();
        System.out.printf("after %d steps (%.0f s): test accuracy %.1f%% (was %.1f%%), test loss %.3f (was %.3f)%n", trainer.steps(),
                secs, 100 * after.accuracy(), 100 * before.accuracy(), after.loss(), before.loss());
        System.out.println("accuracy per class:");
        System.out.print(Reports.perClass(after, test));
        System.out.println();
        System.out.println("some test images and what the network says:");
        System.out.print(gallery(model, test, 6));
        System.out.println();
        System.out.println("what the probe saw: the gradient at each layer's output, against the network output's (÷ output), "
                + "the update/weight ratio, and the gradient norm over training:");
        System.out.print(TerminalReport.render(seedCnn.probe(), seedCnn.diagnosis(), Flags::remedy));
        System.out.println();

        Zoo.Scenario s = Zoo.find(BROKEN);
        Model broken = Zoo.model(s, seed);
        System.out.println("a broken network trained as briefly: " + s.description());
        System.out.println("  model  " + s.spec() + " (" + broken.parameterCount() + " parameters), SGD lr " + s.lr() + " momentum 0.9, " + s.steps() + " steps of batch " + s.batch()
                + ", the probe recording every step");
        Trainer brokenTrainer = new Trainer(broken, Zoo.optimizer(s, broken),
                Zoo.settings(s, seed).withNormalization(dataOptions.mean, dataOptions.std));
        Probed sick = probed(brokenTrainer, ProbeConfig.defaults().withEvery(1), train, null, dir.resolve(BROKEN));
        System.out.print(TerminalReport.render(sick.probe(), sick.diagnosis(), Flags::remedy));
        System.out.println();
        System.out.println("reports (open in a browser; the second shows the vanishing gradient):");
        System.out.println("  " + seedCnn.report());
        System.out.println("  " + sick.report());
        System.out.println("Next: 'gradprobe train' for the full recipe, 'gradprobe diagnose --model SPEC' for a network of your own, "
                + "'gradprobe zoo list' for more broken networks.");
        return 0;
    }

    /** The seed CNN's probe interval: 100 recorded steps of the 1000, at little cost. */
    private static final int SEED_EVERY = 10;

    /** A probed run's outcome: its probe, verdicts, last test evaluation and report. */
    private record Probed(Probe probe, Diagnosis diagnosis, Evaluation test, Path report) {}

    /** Trains with a probe attached, logging to a run folder in {@code dir}, and writes its report. */
    private Probed probed(Trainer trainer, ProbeConfig config, Dataset train, Dataset test, Path dir) {
        Probe probe = Probe.attach(trainer, config);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("batch", trainer.settings().batchSize());
        settings.put("optimizer", trainer.optimizer().describe());
        settings.put("probe", ProbeLog.describe(probe));
        try (RunFolder run = new RunFolder(dir, trainer.model(), Provenance.of(Main.VERSION, "demo", trainer.model().spec(), settings, seed))) {
            ProbeLog log = new ProbeLog(run.log(), probe);
            trainer.addListener(log);
            Evaluation last = trainer.fit(train, test);
            Diagnosis d = Diagnosis.of(probe);
            log.verdicts(d, 0);
            return new Probed(probe, d, last, run.writeReports());
        }
    }

    /** {@code n} test images side by side as text, with the predicted and true class. */
    private String gallery(Model model, Dataset test, int most) {
        int n = Math.min(most, test.size());    // --test-limit may leave fewer
        Batches.Batch b = new Batches(test.head(n), n, null, dataOptions.mean, dataOptions.std, model.dtype(), model.inputShape()).get(0);
        int[] pred = new int[n];
        double[] conf = new double[n];
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor logits = model.forward(b.input(), ForwardContext.eval());
            int c = logits.dim(1);
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < c; j++) {
                    double v = logits.get(i * c + j);
                    if (v > max) {
                        max = v;
                        pred[i] = j;
                    }
                }
                for (int j = 0; j < c; j++) sum += Math.exp(logits.get(i * c + j) - max);
                conf[i] = 1 / sum;
            }
        }
        int[] shape = test.sampleShape();
        int h = shape[1], w = shape[2];
        String ramp = " .:-=+*#%@";
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < h; y += 2) {
            for (int i = 0; i < n; i++) {
                sb.append("  ");
                for (int x = 0; x < w; x++) {
                    int v = (test.pixel(i, y * w + x) + (y + 1 < h ? test.pixel(i, (y + 1) * w + x) : 0)) / 2;
                    sb.append(ramp.charAt(v * (ramp.length() - 1) / 255));
                }
            }
            sb.append('\n');
        }
        for (int i = 0; i < n; i++) sb.append(String.format("  %-" + w + "s", (pred[i] == test.label(i) ? "ok  " : "NO  ") + test.className(pred[i])));
        sb.append('\n');
        for (int i = 0; i < n; i++) sb.append(String.format("  %-" + w + "s", String.format("    %.0f%% sure", 100 * conf[i])));
        sb.append('\n');
        for (int i = 0; i < n; i++) sb.append(String.format("  %-" + w + "s", "    is " + test.className(test.label(i))));
        sb.append('\n');
        return sb.toString();
    }
}
