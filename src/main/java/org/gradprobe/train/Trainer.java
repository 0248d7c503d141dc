package org.gradprobe.train;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.data.Batches;
import org.gradprobe.data.Dataset;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.F;
import org.gradprobe.optim.Clip;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.StepMemory;
import org.gradprobe.tensor.Tensor;

/**
 * The training loop of the seed recipe: each epoch a seeded shuffle into mini-batches, forward,
 * mean cross-entropy, backward, optional clipping, optimizer step; then an evaluation on the test set.
 * Listeners see every step and epoch.
 */
public final class Trainer {
    /** Settings of a run. {@code clipNorm}/{@code clipValue} are null when off; {@code limit} caps the training images. */
    public record Config(int epochs, int batchSize, long seed, double mean, double std, Double clipNorm, Double clipValue,
                         int limit, int evalBatch) {
        public Config {
            if (epochs < 1) throw new IllegalArgumentException("invalid epochs: " + epochs);
            if (batchSize < 1) throw new IllegalArgumentException("invalid batch size: " + batchSize);
        }
    }

    /** Callbacks; every method has an empty default. */
    public interface Listener {
        default void onBegin(Model model, Dataset train, Config config) {}

        /** After the optimizer step of global step {@code step} (1-based); {@code batch} is 0-based within the epoch. */
        default void onStep(int epoch, long step, int batch, int batches, double loss, int images) {}

        default void onEpoch(int epoch, Evaluation test) {}

        default void onEnd() {}

        /** Both listeners, {@code a} first. */
        static Listener both(Listener a, Listener b) {
            return new Listener() {
                public void onBegin(Model m, Dataset t, Config c) {
                    a.onBegin(m, t, c);
                    b.onBegin(m, t, c);
                }

                public void onStep(int epoch, long step, int batch, int batches, double loss, int images) {
                    a.onStep(epoch, step, batch, batches, loss, images);
                    b.onStep(epoch, step, batch, batches, loss, images);
                }

                public void onEpoch(int epoch, Evaluation test) {
                    a.onEpoch(epoch, test);
                    b.onEpoch(epoch, test);
                }

                public void onEnd() {
                    a.onEnd();
                    b.onEnd();
                }
            };
        }
    }

    /**
     * Hooks into every training step (the probe implements them). The batch's forward observer and
     * backward listener may be null; {@link #afterBackward} decides whether the update is applied.
     */
    public interface StepHook {
        default ForwardContext.LayerObserver forwardObserver(long step) { return null; }

        default Backward.GradListener backwardListener(long step) { return null; }

        /** After backward (and clipping), before the update: return false to skip the update of this step. */
        default boolean afterBackward(long step, Tensor input, int[] targets, double loss) { return true; }

        default void afterUpdate(long step) {}

        /** True to end training after the current step (the probe's policy after a NaN or Inf). */
        default boolean stopRequested() { return false; }
    }

    private final Model model;
    private final Optimizer optimizer;
    private final Config config;
    private StepHook hook = new StepHook() {};
    private final StepMemory memory = new StepMemory();
    private long stepCount;
    private long clippedSteps;
    private double largestClippedNorm;

    /** Installs the step hook (one at a time). */
    public Trainer withHook(StepHook h) {
        this.hook = h;
        return this;
    }

    public Model model() { return model; }
    public Optimizer optimizer() { return optimizer; }

    public Trainer(Model model, Optimizer optimizer, Config config) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
    }

    /** Trains for the configured epochs; returns the last test evaluation (null when {@code test} is null). */
    public Evaluation fit(Dataset train, Dataset test, Listener listener) {
        Dataset data = config.limit() > 0 ? train.head(config.limit()) : train;
        SplittableRandom rng = Rand.stream(config.seed(), "shuffle");
        listener.onBegin(model, data, config);
        Evaluation last = null;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            Batches batches = new Batches(data, config.batchSize(), rng.split(), config.mean(), config.std(), model.dtype(),
                    model.inputShape());
            int count = batches.count();
            for (int b = 0; b < count; b++) {
                Batches.Batch batch = batches.get(b);
                double loss = step(batch.input(), batch.targets(), rng);
                listener.onStep(epoch, stepCount, b, count, loss, batch.targets().length);
                if (hook.stopRequested()) break;
            }
            last = test == null ? null : Evaluation.run(model, test, config.evalBatch(), config.mean(), config.std());
            listener.onEpoch(epoch, last);
            if (hook.stopRequested()) break;
        }
        listener.onEnd();
        return last;
    }

    /** One training step on a batch; returns the loss before the update. */
    public double step(Tensor input, int[] targets, SplittableRandom rng) {
        long step = ++stepCount;
        optimizer.zeroGrad();
        Tensor loss;
        // the forward and backward passes' large arrays are reused in the next step
        try (StepMemory.Scope open = memory.open()) {
            Tensor logits = model.forward(input, new ForwardContext(true, rng, hook.forwardObserver(step)));
            loss = F.crossEntropy(logits, targets);
            Backward.backward(loss, Tensor.full(loss.dtype, 1.0, loss.shape()), hook.backwardListener(step));
        }
        if (config.clipNorm() != null) {
            double total = Clip.gradNorm(optimizer.parameters().values(), config.clipNorm());
            if (total > config.clipNorm()) {
                clippedSteps++;
                largestClippedNorm = Math.max(largestClippedNorm, total);
            }
        }
        if (config.clipValue() != null && Clip.gradValue(optimizer.parameters().values(), config.clipValue()) > 0) clippedSteps++;
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
        if (config.clipNorm() == null && config.clipValue() == null) return Optional.empty();
        return Optional.of(new Clipping(config.clipNorm() == null ? OptionalDouble.empty() : OptionalDouble.of(config.clipNorm()),
                config.clipValue() == null ? OptionalDouble.empty() : OptionalDouble.of(config.clipValue()), clippedSteps, stepCount,
                largestClippedNorm));
    }
}
