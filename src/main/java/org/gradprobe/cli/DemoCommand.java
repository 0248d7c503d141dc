package org.gradprobe.cli;

import java.util.concurrent.Callable;
import org.gradprobe.autograd.GradMode;
import org.gradprobe.data.Batches;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** gradprobe demo: the seed CNN trained briefly on real Fashion-MNIST images, and what it learned. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train the seed CNN briefly on real Fashion-MNIST images with the seed recipe (SGD lr 0.001, momentum 0.9, "
                + "batch 4) and show what it learned. Needs no download: without the full data set it uses the subset shipped "
                + "with gradprobe.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--limit", defaultValue = "4000", paramLabel = "N", description = "Training images (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--test-limit", defaultValue = "1000", paramLabel = "N", description = "Test images (default: ${DEFAULT-VALUE}).")
    int testLimit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin ThreadsOption threadsOption;

    @Mixin DataOptions dataOptions;

    @Override
    public Integer call() {
        threadsOption.apply();
        Converters.positive("--limit", limit);
        Converters.positive("--test-limit", testLimit);
        FashionMnist.Split data = dataOptions.load();
        Dataset train = data.train().head(limit);
        Dataset test = data.test().head(testLimit);
        Model model = ModelSpec.build("seed-cnn", train.sampleShape(), DType.FLOAT32, Init.pytorchDefault(), seed);
        System.out.println("gradprobe demo: the seed CNN on real images");
        System.out.println("  data   " + data.source() + ": " + train.size() + " training and " + test.size() + " test images");
        System.out.println("  model  " + model.spec() + " (" + model.parameterCount() + " parameters)");
        System.out.println("  recipe SGD lr 0.001 momentum 0.9, batch 4, cross-entropy, 1 epoch");
        System.out.println();
        Evaluation before = Evaluation.run(model, test, 256, dataOptions.mean, dataOptions.std, Loss.CROSS_ENTROPY);
        System.out.printf("before training: test accuracy %.1f%% (chance is 10%%), test loss %.3f%n", 100 * before.accuracy(), before.loss());
        Trainer.Settings settings = Trainer.Settings.defaults().withSeed(seed).withNormalization(dataOptions.mean, dataOptions.std);
        Sgd sgd = new Sgd(model.parameters(), 0.001, 0.9);
        long t0 = System.nanoTime();
        Evaluation after = new Trainer(model, sgd, settings).addListener(new ConsoleProgress(Math.max(1, train.size() / 4 / 8), null)).fit(train, test);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.println();
        System.out.printf("after %d steps (%.0f s): test accuracy %.1f%% (was %.1f%%), test loss %.3f (was %.3f)%n", (train.size() + 3) / 4,
                secs, 100 * after.accuracy(), 100 * before.accuracy(), after.loss(), before.loss());
        System.out.println("accuracy per class:");
        System.out.print(Reports.perClass(after, test));
        System.out.println();
        System.out.println("some test images and what the network says:");
        System.out.print(gallery(model, test, 6));
        System.out.println("Next: 'gradprobe train' for the full recipe (run folder with checkpoint and metrics), 'gradprobe --help' for more.");
        return 0;
    }

    /** {@code n} test images side by side as text, with the predicted and true class. */
    private String gallery(Model model, Dataset test, int n) {
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
