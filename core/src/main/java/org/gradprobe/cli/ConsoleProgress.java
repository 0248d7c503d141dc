package org.gradprobe.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.Model;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.Trainer;
import org.gradprobe.train.TrainingListener;

/**
 * Prints training as the seed's loop does ({@code [1,  2000] loss: 0.812}), with a progress bar on
 * stderr when it is a terminal, and logs the same to the run folder when there is one.
 */
final class ConsoleProgress implements TrainingListener {
    private final int logEvery;
    private final RunFolder run;
    private final PrintStream out = System.out;
    private final boolean terminal = System.console() != null;
    private double running;
    private int runningCount;
    /** Samples trained on so far: images, or sequences (not their tokens). */
    private long samples;
    /** What a sample is called: "images", "sequences". */
    private String unit = "images";
    private long start;
    private long lastBar;

    ConsoleProgress(int logEvery, RunFolder run) {
        this.logEvery = logEvery;
        this.run = run;
    }

    @Override
    public void onBegin(Model model, SampleSet train, Trainer.Settings settings) {
        start = System.nanoTime();
        unit = train.unit();
    }

    @Override
    public void onStep(int epoch, long step, int batch, int batches, double loss, int n) {
        running += loss;
        runningCount++;
        samples += n;
        if ((batch + 1) % logEvery == 0 || batch + 1 == batches) {
            double mean = running / runningCount;
            if (terminal) System.err.print("\r\033[K");
            out.printf("[%d, %5d] loss: %.3f%n", epoch, batch + 1, mean);
            if (run != null) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("type", "train");
                r.put("epoch", epoch);
                r.put("step", step);
                r.put("batch", batch + 1);
                r.put("loss", mean);
                r.put(unit + "_per_s", samples / seconds());
                run.log(r);
            }
            running = 0;
            runningCount = 0;
        }
        long now = System.nanoTime();
        if (terminal && now - lastBar > 200_000_000L) {
            lastBar = now;
            int width = 30, done = (int) ((long) width * (batch + 1) / batches);
            double rate = samples / seconds();
            double eta = (batches - batch - 1) * ((double) n / Math.max(rate, 1e-9));
            System.err.printf("\r\033[Kepoch %d [%s%s] %d/%d  %.0f %s/s  ETA %s", epoch, "#".repeat(done), ".".repeat(width - done),
                    batch + 1, batches, rate, unit.equals("images") ? "img" : unit, clock(eta));
            System.err.flush();
        }
    }

    @Override
    public void onEpoch(int epoch, Evaluation test) {
        if (terminal) System.err.print("\r\033[K");
        if (test != null) out.printf("epoch %d: %s, %.0f %s/s%n", epoch, describe(test, unit, "test "), samples / seconds(), unit);
        if (run != null) {
            run.checkpoint("the weights after epoch " + epoch);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("type", "epoch");
            r.put("epoch", epoch);
            r.put("test_accuracy", test == null || !test.hasAccuracy() ? null : test.accuracy());
            r.put("test_loss", test == null ? null : test.loss());
            r.put("seconds", seconds());
            run.log(r);
        }
    }

    /**
     * A test evaluation in words: "test accuracy 84.20% (1000 images), test loss 0.4321"; per token
     * "test accuracy 45.10% of 24000 tokens (375 sequences), ..."; for value targets the loss alone,
     * "test loss 0.0123 (1000 sequences; no accuracy: the targets are values)". {@code set}: "test " or "".
     */
    static String describe(Evaluation e, String unit, String set) {
        if (!e.hasAccuracy()) {
            return String.format("%sloss %.4f (%d %s; no accuracy: the targets are values)", set, e.loss(), e.samples(), unit);
        }
        String over = e.predictions() == e.samples() ? String.format("(%d %s)", e.samples(), unit)
                : String.format("of %d tokens (%d %s)", e.predictions(), e.samples(), unit);
        return String.format("%saccuracy %.2f%% %s, %sloss %.4f", set, 100 * e.accuracy(), over, set, e.loss());
    }

    private double seconds() {
        return Math.max((System.nanoTime() - start) / 1e9, 1e-9);
    }

    static String clock(double s) {
        long t = Math.round(s);
        return String.format("%d:%02d", t / 60, t % 60);
    }
}
