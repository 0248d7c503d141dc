package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import org.gradprobe.autograd.Backward;
import org.gradprobe.autograd.Derivable;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Storage;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Layer;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Trainer;
import org.gradprobe.train.TrainingListener;

/**
 * Records every node of a model during training: each layer's output (forward value and the gradient
 * arriving at it) and each parameter (weights, gradient, update), every {@code every} steps, into
 * bounded histories; checks on every step that the loss and every gradient are finite, and when they
 * are not, replays the step to name the node that produced the first NaN or Inf.
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
public final class Probe implements Trainer.StepHook {
    /** What to do when a step produces a NaN or Inf. */
    public enum OnNonFinite { STOP, SKIP, CONTINUE }

    private final Model model;
    private final Optimizer optimizer;
    private final ProbeConfig config;
    private final Loss objective;
    /** The trainer's listeners, once attached. */
    private TrainingListener events = new TrainingListener() {};
    private final Map<String, NodeHistory> nodes = new LinkedHashMap<>();
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final List<double[]> losses = new ArrayList<>();        // {step, loss}, every step, downsampled when long
    private OnNonFinite onNonFinite = OnNonFinite.STOP;
    private NonFiniteEvent firstNonFinite;
    private boolean stopped;
    private long steps;

    /** The step being recorded, from its forward pass to its update. */
    private Recording recording;
    /** Per relu output: how many batches it was recorded for, and the last in which each unit was active. */
    private final Map<String, Activity> activity = new LinkedHashMap<>();
    /** Each parameter's weights as the last recorded step's update found them, to measure that update by (one copy, reused). */
    private final Map<String, Tensor> weightsBefore = new HashMap<>();

    private static final class Activity {
        int batches;
        final int[] lastActive;

        Activity(int units) {
            lastActive = new int[units];    // 0: never (batches count from 1)
        }
    }

    /**
     * One recorded step's statistics, computed as its tensors are made, on the training threads (the
     * pieces of each pass over the compute threads; a relu's pass over its input in their idle time
     * until the backward pass ends): nothing reads a step's arrays after it, so none are kept, and no
     * thread of the probe's own competes with training for the cores (measured: see the README).
     */
    private static final class Recording {
        final long step;
        final Map<Tensor, String> outputs = new IdentityHashMap<>();
        final Map<String, Stats> valueStats = new LinkedHashMap<>();
        final Map<String, Stats> gradStats = new LinkedHashMap<>();
        final Map<String, Double> unitFractions = new LinkedHashMap<>();
        // tensors that share storage (flatten's output and its input, and their gradients) are summarized once
        final Map<Object, Stats> byStorage = new IdentityHashMap<>();
        /** Per parameter, before the update: the statistics of its weights and gradient. */
        final Map<String, Stats> weights = new LinkedHashMap<>(), grads = new LinkedHashMap<>();

        Recording(long step) {
            this.step = step;
        }

        // the last layer output, held back until the next one shows whether a relu reads it
        Tensor held;
        String heldName;

        /** True when no layer output or gradient recorded so far holds a NaN or Inf. */
        boolean allFinite() {
            for (Stats s : valueStats.values()) if (!s.allFinite()) return false;
            for (Stats s : gradStats.values()) if (s != null && !s.allFinite()) return false;
            return true;
        }

        /** The statistics of {@code t}, once per storage array. */
        Stats statsOf(Tensor t) {
            return byStorage.computeIfAbsent(storage(t), k -> Stats.of(t));
        }

        /** A relu's pass over its input, running in the compute threads' idle time until {@link #finishDeferred}. */
        private record Pending(String inputName, Tensor input, String reluName, Tensor out, UnitMaxima units, Stats.Deferred pass) {}

        final List<Pending> pending = new ArrayList<>();

        /**
         * Records layer {@code name}'s output; a relu's is summarized in one pass with its input, when
         * held, and that pass reads its units too. That pass is deferred to the compute threads' idle
         * time (the rest of the forward pass and the backward pass leave a helper thread waiting for some
         * milliseconds a step): true when it was, and the relu's dead units are counted when it finishes.
         */
        boolean output(String name, Layer layer, Tensor out, UnitMaxima units) {
            outputs.put(out, name);
            Node node = out.node();
            if (held != null && node != null && node.derivable() == Derivable.RELU && node.inputs()[0] == held
                    && !byStorage.containsKey(storage(held))) {
                Tensor x = held;
                pending.add(new Pending(heldName, x, name, out, units,
                        Stats.deferWithRelu(x, units == null ? null : (from, to) -> units.piece(x, from, to))));
                held = null;
                return true;
            }
            flush();
            held = out;
            heldName = name;
            return false;
        }

        /** Finishes the deferred passes: their statistics, and the dead units of their relus (by {@code dead}). */
        void finishDeferred(BiFunction<String, boolean[], Double> dead) {
            for (Pending p : pending) {
                Stats[] both = p.pass().finish();
                byStorage.put(storage(p.input()), both[0]);
                byStorage.put(storage(p.out()), both[1]);
                valueStats.put(p.inputName(), both[0]);
                valueStats.put(p.reluName(), both[1]);
                if (p.units() != null) unitFractions.put(p.reluName(), dead.apply(p.reluName(), p.units().positive(p.out())));
            }
            pending.clear();
        }

        /** Summarizes the held output: the forward pass is over, or the next layer is no relu of it. */
        void flush() {
            if (held == null) return;
            valueStats.put(heldName, statsOf(held));
            held = null;
        }

        private static Object storage(Tensor t) {
            return t.data().array();
        }
    }

    /** A probe of a model trained with cross-entropy, to be driven by a loop of one's own (see {@link #attach}). */
    public Probe(Model model, Optimizer optimizer, ProbeConfig config) {
        this(model, optimizer, config, Loss.CROSS_ENTROPY);
    }

    /** A probe of a model trained with {@code loss} (the replay that localizes a NaN or Inf computes it again). */
    public Probe(Model model, Optimizer optimizer, ProbeConfig config, Loss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        this.objective = loss;
        Map<String, Tensor> params = model.parameters();
        for (Layer l : model.allLayers()) {
            layers.put(l.name(), l);
            nodes.put(l.name(), new NodeHistory(l.name(), l.name(), l.kind(), NodeHistory.Kind.ACTIVATION, l.outShape(), config.capacity()));
            for (String p : l.params().keySet()) {
                String full = l.name() + "." + p;
                nodes.put(full, new NodeHistory(full, l.name(), l.kind(), NodeHistory.Kind.PARAMETER, params.get(full).shape(), config.capacity()));
            }
        }
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
        this.onNonFinite = policy;
        return this;
    }

    public ProbeConfig config() { return config; }
    public Model model() { return model; }
    /** Histories by node name: layer outputs ("conv1") and parameters ("conv1.weight"), in forward order. */
    public Map<String, NodeHistory> nodes() {
        return nodes;
    }
    public NonFiniteEvent firstNonFinite() { return firstNonFinite; }
    /** True once a non-finite step stopped training (policy STOP). */
    public boolean stopped() { return stopped; }
    public long steps() { return steps; }
    /** {step, loss} pairs (every step; merged pairwise when long). */
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

    private boolean recording(long step) {
        return (step - 1) % config.every() == 0;
    }

    // ---- Trainer.StepHook ----

    @Override
    public ForwardContext.LayerObserver forwardObserver(long step) {
        if (recording != null) recording.finishDeferred(this::deadFraction);    // a step whose end this probe did not see
        recording = null;
        if (stopped || !recording(step)) return null;
        Recording rec = new Recording(step);
        recording = rec;
        return (name, layer, out) -> {
            LayerKind kind = nodes.get(name).layerKind();
            // a relu's units: read in the pass over its input when there is one (deferred), else here
            UnitMaxima units = kind == LayerKind.RELU ? new UnitMaxima(out) : null;
            boolean deferred = rec.output(name, layer, out, units);
            if (units != null && !deferred) rec.unitFractions.put(name, deadFraction(name, units.positive(out)));
            else if (kind.saturates()) rec.unitFractions.put(name, saturatedFraction(kind, out));
        };
    }

    /**
     * Every step, each parameter's gradient is checked for NaN and Inf as backward hands it over, while
     * it is still in cache (read again after backward, from memory, the check had cost 0.04 ms a step at
     * batch 64 and 2.4% of a batch-4 step): the step, how many leaf gradients, and whether all were finite.
     * A loop that adds several backward passes into one gradient has each pass's checked, not their sum:
     * should that sum overflow, the update's weights are Inf and the check after the update names it.
     */
    private long checkedStep = -1;
    private int checkedGrads;
    private boolean checkedFinite;

    private void checkLeaf(Tensor tensor, Tensor grad) {
        if (!tensor.isLeaf()) return;
        checkedGrads++;
        if (checkedFinite && !Stats.allFinite(grad)) checkedFinite = false;
    }

    @Override
    public Backward.GradListener backwardListener(long step) {
        checkedStep = step;
        checkedGrads = 0;
        checkedFinite = true;
        Recording rec = recording;
        if (rec == null || rec.step != step) {
            return new Backward.GradListener() {
                @Override
                public void onGrad(Tensor tensor, Tensor grad) {
                    checkLeaf(tensor, grad);
                }
            };
        }
        rec.flush();
        return new Backward.GradListener() {
            // gradients made by a routing rule (max pooling) and maybe gated after (relu), each with the
            // output gradient it was routed from: their statistics follow from that smaller tensor's
            final Map<Tensor, Route> routes = new IdentityHashMap<>();
            Tensor last;    // the tensor whose gradient the next rule receives

            @Override
            public void onGrad(Tensor tensor, Tensor grad) {
                checkLeaf(tensor, grad);
                last = tensor;
                String name = rec.outputs.get(tensor);
                if (name == null) return;
                // a routed gradient that reached its tensor alone (not summed with another) holds the
                // values of the gradient it came from (those the gates let through) plus zeros
                Route r = routes.get(grad);
                rec.gradStats.put(name, r == null ? rec.statsOf(grad) : r.stats(rec, grad.numel()));
            }

            @Override
            public void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {
                if (gradIns.length != 1 || gradIns[0] == null) return;
                if (node.derivable() == Derivable.ROUTES) {
                    routes.put(gradIns[0], new Route(gradOut, last, node.inputs()[0], false));
                } else if (node.derivable() == Derivable.RELU) {
                    // when the routing op read this op's output (and not, say, a sum with it, whose gradient
                    // passes through unchanged), the gate is open for value j where the routing op's output j,
                    // a copy of this op's output where j was routed, is positive
                    Route r = routes.get(gradOut);
                    if (r != null && !r.gated && r.routedTo == last) routes.put(gradIns[0], new Route(r.source, r.pooled, null, true));
                }
            }
        };
    }

    /**
     * A gradient routed from {@code source} (the gradient of the routing op's output {@code pooled}) to
     * the routing op's input {@code routedTo}, and, when {@code gated}, then passed only where
     * {@code pooled} is positive.
     */
    private record Route(Tensor source, Tensor pooled, Tensor routedTo, boolean gated) {
        Stats stats(Recording rec, long numel) {
            long zeros = numel - source.numel();
            return (gated ? Stats.gated(source, pooled, true) : rec.statsOf(source).copy()).withZeros(zeros);
        }
    }

    @Override
    public boolean afterBackward(long step, Tensor input, int[] targets, double loss) {
        if (recording != null) recording.finishDeferred(this::deadFraction);
        steps = step;
        addLoss(step, loss);
        // the gradients as backward handed them to this probe's listener, when it saw one for each parameter
        // that has one (else, say a loop that ran backward without the listener, read from the parameters)
        int withGrad = 0;
        for (Tensor p : optimizer.parameters().values()) if (p.grad() != null) withGrad++;
        boolean finite = Double.isFinite(loss);
        if (checkedStep == step && checkedGrads == withGrad) finite &= checkedFinite;
        else for (Tensor p : optimizer.parameters().values()) finite &= p.grad() == null || Stats.allFinite(p.grad());
        Recording rec = recording;
        // a recorded step also sees what never reaches the loss or a gradient (an overflow to -Inf that a
        // relu zeroes): reported and, by default, stopped at; its update is finite, so SKIP and CONTINUE apply it
        boolean hidden = finite && rec != null && rec.step == step && !rec.allFinite();
        if (!finite || hidden) {
            if (firstNonFinite == null) {
                firstNonFinite = Localizer.replay(model, optimizer, objective, step, input, targets);
                events.onNonFinite(firstNonFinite);
            }
            if (onNonFinite == OnNonFinite.STOP) stopped = true;
            if (!finite || stopped) {
                recording = null;
                return onNonFinite == OnNonFinite.CONTINUE;
            }
        }
        if (rec != null && rec.step == step) {
            // the parameters' weights and gradients as the update will use them, and the weights copied to
            // measure the update by
            for (Map.Entry<String, Tensor> e : optimizer.parameters().entrySet()) {
                Tensor p = e.getValue();
                if (p.grad() == null || !nodes.containsKey(e.getKey())) continue;
                rec.weights.put(e.getKey(), Stats.of(p));
                rec.grads.put(e.getKey(), Stats.of(p.grad()));
                Tensor before = weightsBefore.get(e.getKey());
                if (before == null) weightsBefore.put(e.getKey(), p.copy());
                else before.copyFrom(p);
            }
        }
        return !stopped;
    }

    @Override
    public void afterUpdate(long step) {
        if (firstNonFinite == null) {
            for (Map.Entry<String, Tensor> e : optimizer.parameters().entrySet()) {
                if (!Stats.allFinite(e.getValue())) {
                    firstNonFinite = new NonFiniteEvent(e.getKey(), "optimizer step", "update", step, List.of(Stats.of(e.getValue().grad())),
                            Stats.of(e.getValue()));
                    events.onNonFinite(firstNonFinite);
                    if (onNonFinite == OnNonFinite.STOP) stopped = true;
                    break;
                }
            }
        }
        Recording rec = recording;
        recording = null;
        if (rec == null || rec.step != step) return;
        rec.flush();
        for (Map.Entry<String, NodeHistory> e : nodes.entrySet()) {
            NodeHistory h = e.getValue();
            String name = e.getKey();
            if (h.kind() == NodeHistory.Kind.ACTIVATION) {
                Stats v = rec.valueStats.get(name);
                if (v == null) continue;
                Double frac = rec.unitFractions.get(name);
                h.add(StepRecord.activation(step, v, rec.gradStats.get(name), h.layerKind(), frac == null ? Double.NaN : frac));
            } else if (rec.weights.containsKey(name)) {
                Tensor now = optimizer.parameters().get(name), then = weightsBefore.get(name);
                double update = Math.sqrt(Kernels.squaredDistance(now.data(), then.data(), now.numel()));
                h.add(StepRecord.parameter(step, rec.weights.get(name), rec.grads.get(name), update));
            }
        }
        events.onRecord(step);
    }

    @Override
    public boolean stopRequested() {
        return stopped;
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

    /**
     * The largest value of each unit (element of one sample) over a batch, gathered from ranges of the
     * flat tensor read on any of the compute threads: each thread that takes part keeps maxima of its
     * own (a maximum does not depend on the order), merged at the end. A relu's output is positive where
     * its input is, so either can be read.
     */
    private static final class UnitMaxima {
        final int units;
        private final Storage like;
        private final ConcurrentLinkedQueue<Storage> partial = new ConcurrentLinkedQueue<>();
        private boolean read;

        UnitMaxima(Tensor out) {
            units = out.numel() / Math.max(out.dim(0), 1);
            like = out.data();
        }

        /** Reads t[from, to) (t shaped as the output), on any compute thread. */
        void piece(Tensor t, int from, int to) {
            read = true;
            Storage m = partial.poll();    // maxima no other thread is using now
            if (m == null) m = like.allocate(units);
            for (int i = from; i < to; ) {
                int u = i % units, len = Math.min(to - i, units - u);
                Kernels.maxInto(m, u, t.data(), i, len);
                i += len;
            }
            partial.add(m);
        }

        /** Per unit, whether it was positive for some sample (a NaN wins the maximum: not positive); reads t first if no pass did. */
        boolean[] positive(Tensor t) {
            if (!read && units > 0) Parallel.forChunks(t.numel(), Parallel.MIN_WORK, (c, from, to) -> piece(t, from, to));
            Storage all = partial.poll();
            boolean[] pos = new boolean[units];
            if (all == null) return pos;
            for (Storage m : partial) Kernels.maxInto(all, 0, m, 0, units);
            for (int u = 0; u < units; u++) pos[u] = all.get(u) > 0;
            return pos;
        }
    }

    /**
     * The fraction of units (elements of one sample's output) that were not positive for any sample
     * of the last {@code window} recorded batches: their gradient was always zero.
     */
    private double deadFraction(String name, boolean[] positive) {
        int units = positive.length;
        if (units == 0) return Double.NaN;
        Activity act = activity.get(name);
        if (act == null || act.lastActive.length != units) activity.put(name, act = new Activity(units));    // new, or its shape changed
        int t = ++act.batches, since = t - Math.min(config.window(), t);    // dead: not active in batches since+1 .. t
        int[] last = act.lastActive;
        int dead = 0;
        for (int u = 0; u < units; u++) {
            if (positive[u]) last[u] = t;
            if (last[u] <= since) dead++;
        }
        return (double) dead / units;
    }

    /** For sigmoid and tanh outputs, the fraction within 1% of their bounds; NaN for other kinds. */
    static double saturatedFraction(LayerKind kind, Tensor out) {
        if (!kind.saturates()) return Double.NaN;
        double lo = kind.saturationLow(), hi = 0.99;
        long sat = 0;
        for (int i = 0; i < out.numel(); i++) {
            double v = out.get(i);
            if (v <= lo || v >= hi) sat++;
        }
        return out.numel() == 0 ? Double.NaN : (double) sat / out.numel();
    }
}
