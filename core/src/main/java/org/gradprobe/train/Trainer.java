package org.gradprobe.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.data.Batches;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.optim.Clip;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.StepMemory;
import org.gradprobe.tensor.Tensor;

/**
 * The training loop of the seed recipe: each epoch a seeded shuffle into mini-batches, forward, the
 * loss (mean cross-entropy by default) against the batch's {@link Targets}, backward, optional clipping,
 * optimizer step; then an evaluation on the test set. Any {@link SampleSet} trains: images, sequences.
 * Listeners ({@link #addListener}) see every step and epoch.
 */
public final class Trainer {
    /**
     * Settings of a run; start from {@link #defaults()} (the seed recipe's: 1 epoch of batch 4, seed 0,
     * x/255 normalized with mean 0.5 and std 0.5, no clipping, all images, cross-entropy) and change
     * what differs with the {@code with...} methods.
     *
     * @param epochs    passes over the training set
     * @param batchSize samples (images, sequences) per step
     * @param seed      seeds the shuffle and dropout
     * @param mean      normalization mean after x/255
     * @param std       normalization std after x/255
     * @param clipNorm  clip gradients to this global L2 norm; empty: off
     * @param clipValue clamp every gradient element to ±this; empty: off
     * @param limit     train on the first {@code limit} samples only (0: all)
     * @param evalBatch batch size of the test evaluation
     * @param steps     stop after this many steps, taking as many epochs as they need (0: {@code epochs} decide)
     * @param loss      the objective
     */
    public record Settings(int epochs, int batchSize, long seed, double mean, double std, OptionalDouble clipNorm, OptionalDouble clipValue,
                           int limit, int evalBatch, int steps, Loss loss) {
        public Settings {
            if (epochs < 1) throw new IllegalArgumentException("invalid epochs: " + epochs);
            if (batchSize < 1) throw new IllegalArgumentException("invalid batch size: " + batchSize);
            if (!(std > 0)) throw new IllegalArgumentException("invalid normalization std: " + std);
            if (clipNorm.isPresent() && !(clipNorm.getAsDouble() > 0)) throw new IllegalArgumentException("invalid clip norm: " + clipNorm.getAsDouble());
            if (clipValue.isPresent() && !(clipValue.getAsDouble() > 0)) throw new IllegalArgumentException("invalid clip value: " + clipValue.getAsDouble());
            if (limit < 0) throw new IllegalArgumentException("invalid limit: " + limit);
            if (evalBatch < 1) throw new IllegalArgumentException("invalid evaluation batch size: " + evalBatch);
            if (steps < 0) throw new IllegalArgumentException("invalid steps: " + steps);
            if (loss == null) throw new IllegalArgumentException("no loss given");
        }

        /** The seed recipe's settings. */
        public static Settings defaults() {
            return new Settings(1, 4, 0, 0.5, 0.5, OptionalDouble.empty(), OptionalDouble.empty(), 0, 256, 0, Loss.CROSS_ENTROPY);
        }

        public Settings withEpochs(int n) {
            return new Settings(n, batchSize, seed, mean, std, clipNorm, clipValue, limit, evalBatch, steps, loss);
        }

        public Settings withBatchSize(int n) {
            return new Settings(epochs, n, seed, mean, std, clipNorm, clipValue, limit, evalBatch, steps, loss);
        }

        public Settings withSeed(long s) {
            return new Settings(epochs, batchSize, s, mean, std, clipNorm, clipValue, limit, evalBatch, steps, loss);
        }

        /** Normalization of x/255: (x/255 − mean) / std. */
        public Settings withNormalization(double m, double s) {
            return new Settings(epochs, batchSize, seed, m, s, clipNorm, clipValue, limit, evalBatch, steps, loss);
        }

        /** Clip gradients to this global L2 norm (PyTorch's {@code clip_grad_norm_}); null: off. */
        public Settings withClipNorm(Double max) {
            return new Settings(epochs, batchSize, seed, mean, std, optional(max), clipValue, limit, evalBatch, steps, loss);
        }

        /** Clamp every gradient element to ±max (PyTorch's {@code clip_grad_value_}); null: off. */
        public Settings withClipValue(Double max) {
            return new Settings(epochs, batchSize, seed, mean, std, clipNorm, optional(max), limit, evalBatch, steps, loss);
        }

        public Settings withLimit(int n) {
            return new Settings(epochs, batchSize, seed, mean, std, clipNorm, clipValue, n, evalBatch, steps, loss);
        }

        public Settings withEvalBatch(int n) {
            return new Settings(epochs, batchSize, seed, mean, std, clipNorm, clipValue, limit, n, steps, loss);
        }

        public Settings withSteps(int n) {
            return new Settings(epochs, batchSize, seed, mean, std, clipNorm, clipValue, limit, evalBatch, n, loss);
        }

        public Settings withLoss(Loss l) {
            return new Settings(epochs, batchSize, seed, mean, std, clipNorm, clipValue, limit, evalBatch, steps, l);
        }

        private static OptionalDouble optional(Double v) {
            return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
        }
    }

    /**
     * The probe's seam into every step (not a listener: a trainer takes one, and a second is an error).
     * The batch's forward observer and backward listener may be null; {@link #afterBackward} decides
     * whether the update is applied.
     */
    public interface StepHook {
        /** Called once, when attached: where to report recorded steps and non-finite values. */
        default void attached(TrainingListener events) {}

        default ForwardContext.LayerObserver forwardObserver(long step) { return null; }

        default Backward.GradListener backwardListener(long step) { return null; }

        /** After backward (and clipping), before the update: return false to skip the update of this step. */
        default boolean afterBackward(long step, Tensor input, Targets targets, double loss) { return true; }

        default void afterUpdate(long step) {}

        /** True to end training after the current step (the probe's policy after a NaN or Inf). */
        default boolean stopRequested() { return false; }
    }

    private static final StepHook NO_HOOK = new StepHook() {};

    private final Model model;
    private final Optimizer optimizer;
    private final Settings settings;
    private final List<TrainingListener> listeners = new ArrayList<>();
    /** Every listener, in the order added. */
    private final TrainingListener all = new Broadcast();
    private StepHook hook = NO_HOOK;
    private final StepMemory memory = new StepMemory();
    private long stepCount;
    /** Set from another thread (a signal handler) to end training after the step in progress. */
    private volatile boolean stopAsked;
    private long clippedSteps;
    private double largestClippedNorm;

    /** A trainer with the seed recipe's settings. */
    public Trainer(Model model, Optimizer optimizer) {
        this(model, optimizer, Settings.defaults());
    }

    public Trainer(Model model, Optimizer optimizer, Settings settings) {
        this.model = model;
        this.optimizer = optimizer;
        this.settings = settings;
    }

    public Model model() { return model; }
    public Optimizer optimizer() { return optimizer; }
    public Settings settings() { return settings; }

    /** Adds a listener; listeners are called in the order added. */
    public Trainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Installs the step hook (the probe does, through {@code Probe.attach}); a trainer takes one. */
    public Trainer hook(StepHook h) {
        if (hook != NO_HOOK) throw new IllegalStateException("this trainer already has a step hook (a probe is attached once)");
        hook = h;
        h.attached(all);
        return this;
    }

    /**
     * Asks {@link #fit} to end after the step it is in, without that epoch's evaluation (and so without
     * the listeners' {@code onEpoch} for it); {@code onEnd} is still called. Safe to call from any thread.
     */
    public void requestStop() {
        stopAsked = true;
    }

    /** Whether {@link #requestStop} was called. */
    public boolean stopAsked() {
        return stopAsked;
    }

    /**
     * Trains for the configured epochs (or steps); returns the last test evaluation (null when
     * {@code test} is null, or when a stop was asked before the first epoch ended).
     */
    public Evaluation fit(SampleSet train, SampleSet test) {
        SampleSet data = settings.limit() > 0 ? train.head(settings.limit()) : train;
        SplittableRandom rng = Rand.stream(settings.seed(), "shuffle");
        all.onBegin(model, data, settings);
        Evaluation last = null;
        long taken = 0;
        boolean done = false;
        for (int epoch = 1; !stopAsked && (settings.steps() > 0 ? !done : epoch <= settings.epochs()); epoch++) {
            Batches batches = new Batches(data, settings.batchSize(), rng.split(), settings.mean(), settings.std(), model.dtype(),
                    model.inputShape());
            int count = batches.count();
            for (int b = 0; b < count && !done; b++) {
                Batches.Batch batch = batches.get(b);
                double loss = step(batch.input(), batch.targets(), rng);
                all.onStep(epoch, stepCount, b, count, loss, batch.samples());
                done = hook.stopRequested() || ++taken == settings.steps() || stopAsked;
            }
            if (stopAsked) break;
            last = test == null ? null : Evaluation.run(model, test, settings.evalBatch(), settings.mean(), settings.std(), settings.loss());
            all.onEpoch(epoch, last);
            if (hook.stopRequested()) break;
        }
        all.onEnd();
        return last;
    }

    /** One training step on a batch of images with one class index each; returns the loss before the update. */
    public double step(Tensor input, int[] targets, SplittableRandom rng) {
        return step(input, Targets.classes(targets), rng);
    }

    /** One training step on a batch and its targets; returns the loss before the update. */
    public double step(Tensor input, Targets targets, SplittableRandom rng) {
        long step = ++stepCount;
        optimizer.zeroGrad();
        Tensor loss;
        // the forward and backward passes' large arrays are reused in the next step
        try (StepMemory.Scope open = memory.open()) {
            Tensor logits = model.forward(input, new ForwardContext(true, rng, hook.forwardObserver(step)));
            loss = settings.loss().compute(logits, targets);
            Backward.backward(loss, Tensor.full(loss.dtype, 1.0, loss.shape()), hook.backwardListener(step));
        }
        if (settings.clipNorm().isPresent()) {
            double max = settings.clipNorm().getAsDouble();
            double total = Clip.gradNorm(optimizer.parameters().values(), max);
            if (total > max) {
                clippedSteps++;
                largestClippedNorm = Math.max(largestClippedNorm, total);
            }
        }
        if (settings.clipValue().isPresent() && Clip.gradValue(optimizer.parameters().values(), settings.clipValue().getAsDouble()) > 0) {
            clippedSteps++;
        }
        if (hook.afterBackward(step, input, targets, loss.item())) {
            optimizer.step();
            hook.afterUpdate(step);
        }
        return loss.item();
    }

    /** Steps taken so far. */
    public long steps() { return stepCount; }

    /** Steps on which clipping changed the gradients, and the largest global norm it cut down. */
    public long clippedSteps() { return clippedSteps; }

    public double largestClippedNorm() { return largestClippedNorm; }

    /** What clipping did so far; empty when clipping is off. */
    public Optional<Clipping> clipping() {
        if (settings.clipNorm().isEmpty() && settings.clipValue().isEmpty()) return Optional.empty();
        return Optional.of(new Clipping(settings.clipNorm(), settings.clipValue(), clippedSteps, stepCount, largestClippedNorm));
    }

    /** Passes each event to every listener, in the order they were added. */
    private final class Broadcast implements TrainingListener {
        @Override
        public void onBegin(Model m, SampleSet train, Settings s) {
            for (TrainingListener l : listeners) l.onBegin(m, train, s);
        }

        @Override
        public void onStep(int epoch, long step, int batch, int batches, double loss, int samples) {
            for (TrainingListener l : listeners) l.onStep(epoch, step, batch, batches, loss, samples);
        }

        @Override
        public void onRecord(long step) {
            for (TrainingListener l : listeners) l.onRecord(step);
        }

        @Override
        public void onNonFinite(NonFinite event) {
            for (TrainingListener l : listeners) l.onNonFinite(event);
        }

        @Override
        public void onEpoch(int epoch, Evaluation test) {
            for (TrainingListener l : listeners) l.onEpoch(epoch, test);
        }

        @Override
        public void onEnd() {
            for (TrainingListener l : listeners) l.onEnd();
        }
    }
}
