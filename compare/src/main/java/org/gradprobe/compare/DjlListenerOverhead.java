package org.gradprobe.compare;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.gradprobe.djl.GradprobeListener;

/**
 * What {@link GradprobeListener} costs a DJL training: the seed CNN ({@link DjlSeedCnn}, PyTorch engine,
 * resident random data sliced per batch, {@code EasyTrain.trainBatch} + {@code trainer.step()}) trained by
 * three trainers in one JVM, alternating turn by turn within each round (the order rotates each round):
 * <ul>
 *   <li>{@code none}: no listener;</li>
 *   <li>{@code default}: {@code GradprobeListener.builder().build()}, its default interval (50; no run folder);</li>
 *   <li>{@code every1}: {@code GradprobeListener.builder().every(1).build()}, recording every step.</li>
 * </ul>
 * Each trainer warms up for WARMUP intervals of 50 steps, and each turn is INTERVALS whole intervals of 50
 * steps, so that every default turn holds the same number of recorded steps. The listener is wrapped in a
 * delegate that times its {@code onTrainingBatch} (all its work: the NaN/Inf checks, the records and, a step
 * after a recorded one, the update measured across {@code trainer.step()}).
 *
 * <p>Prints one JSON line per turn ({@code "kind": "turn"}: mode, round, steps, images_per_s, the median step
 * in ms, the listener's ms per step on recorded steps and on the others) and a summary ({@code "kind":
 * "summary"}: per mode the median images/s over the rounds, and the paired overhead of each listener mode,
 * its turn's time against the no-listener turn of the same round: median and quartiles).
 *
 * <p>Usage: {@code DjlListenerOverhead [BATCH [INTERVALS [ROUNDS [WARMUP]]]]}, defaults 64 4 6 2; threads from
 * {@code -Dai.djl.pytorch.num_threads}; {@code ai.djl.offline} defaults to true.
 */
public final class DjlListenerOverhead {
    static final int INTERVAL = 50;
    static final String[] MODES = {"none", "default", "every1"};

    private DjlListenerOverhead() {}

    /** Times the wrapped listener's per-batch work, step by step. */
    static final class Timed implements TrainingListener {
        final TrainingListener inner;
        long lastNanos;

        Timed(TrainingListener inner) {
            this.inner = inner;
        }

        @Override public void onEpoch(Trainer t) { inner.onEpoch(t); }
        @Override public void onValidationBatch(Trainer t, BatchData b) { inner.onValidationBatch(t, b); }
        @Override public void onTrainingBegin(Trainer t) { inner.onTrainingBegin(t); }
        @Override public void onTrainingEnd(Trainer t) { inner.onTrainingEnd(t); }

        @Override
        public void onTrainingBatch(Trainer t, BatchData b) {
            long t0 = System.nanoTime();
            inner.onTrainingBatch(t, b);
            lastNanos = System.nanoTime() - t0;
        }
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int intervals = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        int steps = intervals * INTERVAL;

        try (NDManager data = NDManager.newBaseManager("PyTorch")) {
            ArrayDataset dataset = DjlSeedCnn.dataset(data, batch);
            Model[] models = new Model[MODES.length];
            Trainer[] trainers = new Trainer[MODES.length];
            Timed[] timed = new Timed[MODES.length];
            long[] done = new long[MODES.length];
            try {
                for (int i = 0; i < MODES.length; i++) {
                    Engine.getEngine("PyTorch").setRandomSeed(1);
                    models[i] = Model.newInstance("seed-cnn-" + MODES[i], "PyTorch");
                    timed[i] = switch (MODES[i]) {
                        case "default" -> new Timed(GradprobeListener.builder().build());
                        case "every1" -> new Timed(GradprobeListener.builder().every(1).build());
                        default -> null;
                    };
                    trainers[i] = timed[i] == null ? DjlSeedCnn.trainer(models[i], batch) : DjlSeedCnn.trainer(models[i], batch, timed[i]);
                }
                for (int i = 0; i < MODES.length; i++) {
                    turn(trainers[i], timed[i], dataset, batch, done[i], warmup * INTERVAL);
                    done[i] += warmup * INTERVAL;
                }
                double[][] seconds = new double[MODES.length][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < MODES.length; k++) {
                        int i = (r + k) % MODES.length;
                        Turn t = turn(trainers[i], timed[i], dataset, batch, done[i], steps);
                        done[i] += steps;
                        seconds[i][r] = t.seconds;
                        System.out.printf(Locale.ROOT,
                                "{\"kind\": \"turn\", \"mode\": \"%s\", \"round\": %d, \"batch\": %d, \"steps\": %d, \"threads\": %d, \"images_per_s\": %.1f, "
                                        + "\"step_ms_median\": %.4f, \"listener_ms_recorded\": %.4f, \"listener_ms_other\": %.4f, \"listener_ms_all\": %.4f}%n",
                                MODES[i], r, batch, steps, Integer.getInteger("ai.djl.pytorch.num_threads", -1), steps * batch / t.seconds,
                                t.stepMedianMs, t.listenerRecordedMs, t.listenerOtherMs, t.listenerAllMs);
                        System.out.flush();
                    }
                }
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                        "{\"kind\": \"summary\", \"batch\": %d, \"steps\": %d, \"rounds\": %d", batch, steps, rounds));
                for (int i = 0; i < MODES.length; i++) {
                    double[] rate = new double[rounds];
                    for (int r = 0; r < rounds; r++) rate[r] = steps * batch / seconds[i][r];
                    sb.append(String.format(Locale.ROOT, ", \"%s_images_per_s\": %.1f", MODES[i], DjlSeedCnn.median(rate)));
                    if (i == 0) continue;
                    double[] over = new double[rounds];
                    for (int r = 0; r < rounds; r++) over[r] = seconds[i][r] / seconds[0][r] - 1;
                    double[] q = quartiles(over);
                    sb.append(String.format(Locale.ROOT, ", \"%s_overhead\": [%.4f, %.4f, %.4f]", MODES[i], q[0], q[1], q[2]));
                }
                System.out.println(sb.append('}'));
            } finally {
                for (Trainer t : trainers) if (t != null) t.close();
                for (Model m : models) if (m != null) m.close();
            }
        }
    }

    record Turn(double seconds, double stepMedianMs, double listenerRecordedMs, double listenerOtherMs, double listenerAllMs) {}

    /**
     * {@code steps} steps from step {@code done} (steps are counted from 0; the listener's recorded steps are
     * its steps 1, 51, ..., ours 0, 50, ...): the wall time of the turn, the median step, and the listener's
     * mean time on the recorded steps (with the step after each, which finishes its record) and on the others.
     */
    static Turn turn(Trainer trainer, Timed timed, ArrayDataset dataset, int batch, long done, int steps) {
        double[] step = new double[steps];
        List<Double> recorded = new ArrayList<>(), other = new ArrayList<>(), all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            long a = System.nanoTime();
            DjlSeedCnn.run(trainer, dataset, batch, done + s, 1);
            step[s] = (System.nanoTime() - a) / 1e6;
            if (timed != null) {
                long k = (done + s) % INTERVAL;
                (k == 0 || k == 1 ? recorded : other).add(timed.lastNanos / 1e6);
                all.add(timed.lastNanos / 1e6);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Turn(seconds, DjlSeedCnn.median(step), mean(recorded), mean(other), mean(all));
    }

    static double mean(List<Double> xs) {
        return xs.isEmpty() ? Double.NaN : xs.stream().mapToDouble(Double::doubleValue).sum() / xs.size();
    }

    static double[] quartiles(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return new double[] {at(s, 0.25), DjlSeedCnn.median(s), at(s, 0.75)};
    }

    private static double at(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
