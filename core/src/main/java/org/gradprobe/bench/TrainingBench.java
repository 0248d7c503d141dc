package org.gradprobe.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.autograd.Node;
import org.gradprobe.data.Batches;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.check.ModelCheck;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Layer;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.ThroughTime;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Trainer;
import org.gradprobe.train.TrainingListener;

/**
 * Samples per second for training the seed CNN, or any network ({@link Workload}), with SGD lr 0.001 momentum
 * 0.9 in float32 at a batch size, in
 * three modes: probe off, probe at its default interval, probe recording every node every step. The
 * modes run in turns (off, default, every, off, …) so that machine noise hits all alike; each turn
 * times {@code steps} steps after a warm-up, and the result is the median over {@code rounds} turns.
 */
public final class TrainingBench {
    private TrainingBench() {}

    /** The three modes, in the order they are alternated. */
    public static final String[] MODES = {"probe off", "default interval", "every step"};

    /** The probe's hooks, in the order a step calls them: see {@link Result#everyStepHooks}. */
    public static final String[] HOOK_PHASES = {"forward", "backward", "after backward", "after update"};

    /**
     * @param recordedStepCost at the default interval, what recording costs measured step by step: the
     *                         median time of a recorded step and of the step after it, less twice the
     *                         median of the other steps, as a fraction of the time of one interval of
     *                         unrecorded steps (NaN when the default interval was not timed). Turn times
     *                         carry the machine's noise; this compares steps of one turn.
     * @param checkCost        at the default interval, what the probe costs on the steps it does not
     *                         record (its checks of the loss, every gradient and every weight for NaN and
     *                         Inf): the median time spent in its hooks on those steps, as a fraction of
     *                         the rest of such a step (timed inside the same steps: two trainers of one
     *                         JVM, both without a probe, differed by up to 5%, once 43%, in median step
     *                         time at batch 4, so this is not measured against the probe-off turns).
     * @param everyStepHooks   recording every step, the median time a step spends in the probe's hooks,
     *                         in seconds, by phase ({@link #HOOK_PHASES}: the layer outputs as the forward
     *                         pass makes them, the gradients as the backward pass makes them, after the
     *                         backward pass (the passes handed to the helper's idle time that are left,
     *                         the parameters), after the update); null when that mode was not timed. Work
     *                         the helper did in its idle time is in none of them.
     */
    public record Result(int batch, Map<String, Double> medianImagesPerSecond, Map<String, double[]> samples, double recordedStepCost,
            double checkCost, double[] everyStepHooks) {
        /** The default interval's whole cost, step by step: recording, and the checks on every step. */
        public double intervalCost() {
            return (1 + checkCost) * (1 + recordedStepCost) - 1;
        }

        /** Extra time per step of {@code mode} relative to probe off, as a fraction (0.03 = 3% slower). */
        public double overhead(String mode) {
            if (!samples.containsKey(MODES[0]) || !samples.containsKey(mode)) return Double.NaN;
            return medianImagesPerSecond.get(MODES[0]) / medianImagesPerSecond.get(mode) - 1;
        }

        /**
         * The overhead measured round by round (each mode against probe off in the same round, adjacent in
         * time, so slow drifts of a shared machine cancel): {median, lower quartile, upper quartile}.
         */
        public double[] pairedOverhead(String mode) {
            if (!samples.containsKey(MODES[0]) || !samples.containsKey(mode)) return new double[] {Double.NaN, Double.NaN, Double.NaN};
            double[] off = samples.get(MODES[0]), on = samples.get(mode);
            double[] r = new double[off.length];
            for (int i = 0; i < r.length; i++) r[i] = off[i] / on[i] - 1;
            Arrays.sort(r);
            return new double[] {median(r), r[(r.length - 1) / 4], r[(3 * (r.length - 1) + 3) / 4]};
        }
    }

    /**
     * What is trained: a network (spec and per-sample input shape) and its loss. The seed CNN trains on the
     * bundled Fashion-MNIST subset; any other network on 16 random batches, cycled (a step's time does not
     * depend on the values): token ids for a network that starts with an embedding, standard normal values
     * otherwise, and random targets of the kind its loss takes (a class a sample or a step, or values).
     */
    public record Workload(String spec, int[] input, Loss loss) {
        public static final Workload SEED_CNN = new Workload("seed-cnn", null, Loss.CROSS_ENTROPY);

        boolean seedCnn() {
            return spec.equals("seed-cnn") && input == null && loss == Loss.CROSS_ENTROPY;
        }

        Model model() {
            return ModelSpec.build(spec, input, DType.FLOAT32, Init.pytorchDefault(), 0);
        }
    }

    public static Result run(int batch, int steps, int rounds) {
        return run(batch, steps, rounds, List.of(0, 1, 2));
    }

    /** As {@link #run(int, int, int)} for some of the {@link #MODES} only (indices into it). */
    public static Result run(int batch, int steps, int rounds, List<Integer> modes) {
        return run(Workload.SEED_CNN, batch, steps, rounds, modes);
    }

    /** As {@link #run(int, int, int, List)} for any network. */
    public static Result run(Workload work, int batch, int steps, int rounds, List<Integer> modes) {
        Map<String, double[]> samples = new LinkedHashMap<>();
        for (int m : modes) samples.put(MODES[m], new double[rounds]);
        List<Runner> runners = new ArrayList<>();
        for (int m : modes) runners.add(new Runner(work, batch, m));
        for (Runner r : runners) r.steps(Math.max(10, steps));      // warm-up: JIT and buffers
        for (Runner r : runners) r.timing = true;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < modes.size(); i++) {
                long t0 = System.nanoTime();
                runners.get(i).steps(steps);
                double secs = (System.nanoTime() - t0) / 1e9;
                samples.get(MODES[modes.get(i)])[round] = steps * batch / secs;
            }
        }
        Map<String, Double> med = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : samples.entrySet()) med.put(e.getKey(), median(e.getValue()));
        double cost = Double.NaN, checks = Double.NaN;
        int d = modes.indexOf(1);
        if (d >= 0) {
            Runner r = runners.get(d);
            int every = ProbeConfig.DEFAULT_EVERY;
            double rec = median(r.timed(every, 0, 1)), after = median(r.timed(every, 1, 1)), other = median(r.timed(every, -1, 1));
            cost = (rec + after - 2 * other) / (every * other);
            double hooks = median(r.timed(every, -1, 2));
            checks = hooks / (other - hooks);
        }
        double[] hooks = null;
        int e = modes.indexOf(2);
        if (e >= 0) {
            hooks = new double[HOOK_PHASES.length];
            // every step is recorded: with an interval of 1, phase 0 is all of them
            for (int k = 0; k < hooks.length; k++) hooks[k] = median(runners.get(e).timed(1, 0, 3 + k)) / 1e9;
        }
        return new Result(batch, med, samples, cost, checks, hooks);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** One training setup, stepping through its own shuffled batches. */
    private static final class Runner {
        final Trainer trainer;
        final List<Batches.Batch> batches = new ArrayList<>();
        final SplittableRandom rng = new SplittableRandom(1);
        int next;
        /**
         * Each timed step's number (1-based, as the trainer counts), its time, the time in the probe's
         * hooks, and that time by phase ({@link #HOOK_PHASES}), in nanoseconds.
         */
        final List<long[]> times = new ArrayList<>();
        boolean timing;
        /** Nanoseconds spent in the probe's hooks since the last step began, in all and by phase. */
        long inHooks;
        final long[] byPhase = new long[HOOK_PHASES.length];

        Runner(Workload work, int batch, int mode) {
            Model model = work.model();
            trainer = new Trainer(model, new Sgd(model.parameters(), 0.001, 0.9), Trainer.Settings.defaults().withBatchSize(batch).withLoss(work.loss()));
            if (mode == 1) trainer.hook(timed(new Probe(model, trainer.optimizer(), ProbeConfig.defaults())));
            if (mode == 2) trainer.hook(timed(new Probe(model, trainer.optimizer(), ProbeConfig.defaults().withEvery(1))));
            if (work.seedCnn()) {
                Batches all = new Batches(FashionMnist.bundled().train(), batch, new SplittableRandom(2), 0.5, 0.5, DType.FLOAT32);
                for (int b = 0; b + 1 < all.count(); b++) batches.add(all.get(b));    // the short last batch skipped
            } else {
                SplittableRandom rng = new SplittableRandom(2);
                for (int b = 0; b < 16; b++) {
                    batches.add(new Batches.Batch(ModelCheck.randomInput(model, batch, DType.FLOAT32, rng),
                            ModelCheck.randomTargets(model.outputShape(), batch, work.loss(), DType.FLOAT32, rng)));
                }
            }
        }

        /**
         * Of the timed steps whose number s has (s − 1) mod every = phase (0: the recorded ones, 1: those
         * after them), or, with phase −1, of all the others: their times (what 1), time in the hooks (2),
         * or in one phase of them (3 + the phase's index in {@link #HOOK_PHASES}).
         */
        double[] timed(int every, int phase, int what) {
            return times.stream().filter(t -> phase < 0 ? (t[0] - 1) % every > 1 : (t[0] - 1) % every == phase)
                    .mapToDouble(t -> t[what]).toArray();
        }

        void steps(int n) {
            for (int i = 0; i < n; i++) {
                if (next == batches.size()) next = 0;
                Batches.Batch b = batches.get(next++);
                inHooks = 0;
                Arrays.fill(byPhase, 0);
                long t0 = System.nanoTime();
                trainer.step(b.input(), b.targets(), rng);
                if (timing) times.add(new long[] {trainer.steps(), System.nanoTime() - t0, inHooks, byPhase[0], byPhase[1], byPhase[2], byPhase[3]});
            }
        }

        /** Adds the time since {@code t0} to the hooks' time and to that of {@code phase}. */
        private void spent(int phase, long t0) {
            long dt = System.nanoTime() - t0;
            inHooks += dt;
            byPhase[phase] += dt;
        }

        /** The probe's hooks, and the observer and listener they hand out, each call timed into {@link #inHooks} and {@link #byPhase}. */
        Trainer.StepHook timed(Probe p) {
            return new Trainer.StepHook() {
                @Override
                public void attached(TrainingListener events) {
                    p.attached(events);
                }

                @Override
                public ForwardContext.LayerObserver forwardObserver(long step) {
                    long t0 = System.nanoTime();
                    ForwardContext.LayerObserver o = p.forwardObserver(step);
                    spent(0, t0);
                    return o == null ? null : new ForwardContext.LayerObserver() {
                        @Override
                        public void onOutput(String name, Layer layer, Tensor out) {
                            long t1 = System.nanoTime();
                            o.onOutput(name, layer, out);
                            spent(0, t1);
                        }

                        @Override
                        public ThroughTime throughTime(String name, int k) {
                            return o.throughTime(name, k);
                        }
                    };
                }

                @Override
                public Backward.GradListener backwardListener(long step) {
                    long t0 = System.nanoTime();
                    Backward.GradListener l = p.backwardListener(step);
                    spent(1, t0);
                    return l == null ? null : new Backward.GradListener() {
                        @Override
                        public void onGrad(Tensor tensor, Tensor grad) {
                            long t1 = System.nanoTime();
                            l.onGrad(tensor, grad);
                            spent(1, t1);
                        }

                        @Override
                        public void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {
                            long t1 = System.nanoTime();
                            l.onRule(node, gradOut, gradIns);
                            spent(1, t1);
                        }
                    };
                }

                @Override
                public boolean afterBackward(long step, Tensor input, org.gradprobe.ops.Targets targets, double loss) {
                    long t0 = System.nanoTime();
                    boolean apply = p.afterBackward(step, input, targets, loss);
                    spent(2, t0);
                    return apply;
                }

                @Override
                public void afterUpdate(long step) {
                    long t0 = System.nanoTime();
                    p.afterUpdate(step);
                    spent(3, t0);
                }

                @Override
                public boolean stopRequested() {
                    return p.stopRequested();
                }
            };
        }
    }
}
