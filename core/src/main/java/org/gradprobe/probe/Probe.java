package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.autograd.Backward;
import org.gradprobe.autograd.Node;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Layer;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Trainer;
import org.gradprobe.train.TrainingListener;

/**
 * Records every node of a model during training: each layer's output (forward value and the gradient
 * arriving at it) and each parameter (weights, gradient, update), every {@code every} steps, into
 * bounded histories; checks on every step that the loss and every gradient are finite, and when they
 * are not, replays the step to name the node that produced the first NaN or Inf. The work is done by
 * the {@link Recorder} (with its exact shortcuts, {@link Fusions}) and the {@link NonFiniteGuard}; this
 * class holds the histories and drives both, step by step.
 *
 * <p>A recorded step's statistics are computed as its tensors are made, on the training threads, and
 * reach the histories (and the trainer's listeners, {@link TrainingListener#onRecord}) right after its update.
 *
 * <pre>
 *   Probe probe = Probe.attach(trainer, ProbeConfig.defaults());
 *   trainer.fit(train, test);
 *   List&lt;LayerVerdict&gt; verdicts = probe.verdicts();
 * </pre>
 */
public final class Probe implements Trainer.StepHook, Observations {
    /** What to do when a step produces a NaN or Inf. */
    public enum OnNonFinite { STOP, SKIP, CONTINUE }

    private final Model model;
    private final Optimizer optimizer;
    private final ProbeConfig config;
    /** The trainer's listeners, once attached. */
    private TrainingListener events = new TrainingListener() {};
    private final Map<String, NodeHistory> nodes = new LinkedHashMap<>();
    private final List<double[]> losses = new ArrayList<>();        // {step, loss}, every step, downsampled when long
    private final Recorder recorder;
    private final NonFiniteGuard guard;
    private long steps;

    /** A probe of a model trained with cross-entropy, to be driven by a loop of one's own (see {@link #attach}). */
    public Probe(Model model, Optimizer optimizer, ProbeConfig config) {
        this(model, optimizer, config, Loss.CROSS_ENTROPY);
    }

    /** A probe of a model trained with {@code loss} (the replay that localizes a NaN or Inf computes it again). */
    public Probe(Model model, Optimizer optimizer, ProbeConfig config, Loss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        Map<String, Tensor> params = model.parameters();
        for (Layer l : model.allLayers()) {
            nodes.put(l.name(), new NodeHistory(l.name(), l.name(), l.kind(), NodeHistory.Kind.ACTIVATION, l.outShape(), config.capacity()));
            for (String p : l.params().keySet()) {
                String full = l.name() + "." + p;
                nodes.put(full, new NodeHistory(full, l.name(), l.kind(), NodeHistory.Kind.PARAMETER, params.get(full).shape(), config.capacity()));
            }
        }
        this.recorder = new Recorder(nodes, optimizer, config);
        this.guard = new NonFiniteGuard(model, optimizer, loss, e -> events.onNonFinite(e));
    }

    /**
     * A probe on the trainer's model, optimizer and loss, attached to every step it takes; it reports
     * recorded steps and the first NaN or Inf to the trainer's listeners. A trainer takes one probe.
     */
    public static Probe attach(Trainer trainer, ProbeConfig config) {
        Probe p = new Probe(trainer.model(), trainer.optimizer(), config, trainer.settings().loss());
        trainer.hook(p);
        return p;
    }

    @Override
    public void attached(TrainingListener trainerEvents) {
        this.events = trainerEvents;
    }

    public Probe onNonFinite(OnNonFinite policy) {
        guard.policy(policy);
        return this;
    }

    @Override
    public ProbeConfig config() { return config; }
    public Model model() { return model; }
    /** Histories by node name: layer outputs ("conv1") and parameters ("conv1.weight"), in forward order. */
    @Override
    public Map<String, NodeHistory> nodes() {
        return nodes;
    }
    /** Where the run's first NaN or Inf came from; null while there was none. */
    @Override
    public NonFiniteEvent firstNonFinite() { return guard.first(); }
    /** True once a non-finite step stopped training (policy STOP). */
    public boolean stopped() { return guard.stopped(); }
    @Override
    public long steps() { return steps; }
    /** {step, loss} pairs (every step; merged pairwise when long). */
    @Override
    public List<double[]> losses() { return losses; }

    /** The loss of {@code step}, NaN when it is no longer kept apart (old steps are merged pairwise). */
    public double lossAt(long step) {
        for (int i = losses.size() - 1; i >= 0; i--) {
            double[] l = losses.get(i);
            if (l[0] == step) return l[1];
            if (l[0] < step) break;
        }
        return Double.NaN;
    }

    /** The verdicts of the detectors on the current histories. */
    public List<LayerVerdict> verdicts() {
        return Detectors.run(this);
    }

    // ---- Trainer.StepHook: the recorder and the guard, step by step ----

    @Override
    public ForwardContext.LayerObserver forwardObserver(long step) {
        recorder.drop();    // a step whose end this probe did not see
        if (guard.stopped() || (step - 1) % config.every() != 0) return null;
        return recorder.begin(step);
    }

    @Override
    public Backward.GradListener backwardListener(long step) {
        Backward.GradListener check = guard.gradients(step), record = recorder.gradients(step);
        if (record == null) return check;
        return new Backward.GradListener() {
            @Override
            public void onGrad(Tensor tensor, Tensor grad) {
                check.onGrad(tensor, grad);
                record.onGrad(tensor, grad);
            }

            @Override
            public void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {
                record.onRule(node, gradOut, gradIns);
            }
        };
    }

    @Override
    public boolean afterBackward(long step, Tensor input, Targets targets, double loss) {
        recorder.backwardDone();
        steps = step;
        addLoss(step, loss);
        boolean finite = guard.finite(step, loss);
        // a recorded step also sees what never reaches the loss or a gradient (an overflow to -Inf that a
        // relu zeroes): reported and, by default, stopped at; its update is finite, so SKIP and CONTINUE apply it
        boolean hidden = finite && !recorder.allFinite(step);
        if (!finite || hidden) {
            guard.nonFinite(step, input, targets);
            if (!finite || guard.stopped()) {
                recorder.drop();
                return guard.policy() == OnNonFinite.CONTINUE;
            }
        }
        recorder.beforeUpdate(step);
        return !guard.stopped();
    }

    @Override
    public void afterUpdate(long step) {
        guard.checkWeights(step);
        if (recorder.afterUpdate(step)) events.onRecord(step);
    }

    @Override
    public boolean stopRequested() {
        return guard.stopped();
    }

    private void addLoss(long step, double loss) {
        losses.add(new double[] {step, loss});
        if (losses.size() >= 4 * config.capacity()) {
            // keep the newest half as is, average the older half pairwise (NaN and Inf propagate, so they stay visible)
            int half = losses.size() / 2;
            List<double[]> merged = new ArrayList<>();
            for (int i = 0; i + 1 < half; i += 2) merged.add(new double[] {losses.get(i + 1)[0], (losses.get(i)[1] + losses.get(i + 1)[1]) / 2});
            merged.addAll(losses.subList(half, losses.size()));
            losses.clear();
            losses.addAll(merged);
        }
    }
}
