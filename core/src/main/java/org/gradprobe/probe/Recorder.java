package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.autograd.Backward;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Layer;
import org.gradprobe.ops.ThroughTime;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.tensor.Tensor;

/**
 * Records a step's statistics into the probe's histories: every layer output (its value in the forward
 * pass, the gradient arriving at it in the backward pass) and every parameter (weights and gradient
 * before the update, and the update itself, measured against a copy of the weights). Statistics are
 * computed as the tensors are made, on the training threads ({@link Fusions} saves the passes it can
 * derive exactly); nothing reads a step's arrays after it, so none are kept.
 */
final class Recorder {
    private final Map<String, NodeHistory> nodes;
    private final Optimizer optimizer;
    private final ProbeConfig config;

    /** The step being recorded, from its forward pass to its update; null between. */
    private Recording recording;
    /** Per relu output: how many batches it was recorded for, and the last in which each unit was active. */
    private final Map<String, Activity> activity = new LinkedHashMap<>();
    /** Each parameter's weights as the last recorded step's update found them, to measure that update by (one copy, reused). */
    private final Map<String, Tensor> weightsBefore = new HashMap<>();

    Recorder(Map<String, NodeHistory> nodes, Optimizer optimizer, ProbeConfig config) {
        this.nodes = nodes;
        this.optimizer = optimizer;
        this.config = config;
    }

    private static final class Activity {
        int batches;
        final int[] lastActive;

        Activity(int units) {
            lastActive = new int[units];    // 0: never (batches count from 1)
        }
    }

    /** One recorded step's statistics as they are made. */
    static final class Recording {
        final long step;
        final Map<Tensor, String> outputs = new IdentityHashMap<>();
        final Map<String, Stats> valueStats = new LinkedHashMap<>();
        final Map<String, Stats> gradStats = new LinkedHashMap<>();
        final Map<String, Double> unitFractions = new LinkedHashMap<>();
        /** Per recurrent layer, the sinks of its stacked layers' gradient through time. */
        final Map<String, List<ThroughTime>> throughTime = new HashMap<>();
        // tensors that share storage (flatten's output and its input, and their gradients) are summarized once
        private final Map<Object, Stats> byStorage = new IdentityHashMap<>();
        /** Per parameter, before the update: the statistics of its weights and gradient. */
        final Map<String, Stats> weights = new LinkedHashMap<>(), grads = new LinkedHashMap<>();
        final Fusions.Values values = new Fusions.Values(this);
        final Fusions.Gradients gradients = new Fusions.Gradients();

        Recording(long step) {
            this.step = step;
        }

        /** True when no layer output or gradient recorded so far holds a NaN or Inf. */
        boolean allFinite() {
            for (Stats s : valueStats.values()) if (!s.allFinite()) return false;
            for (Stats s : gradStats.values()) if (s != null && !s.allFinite()) return false;
            return true;
        }

        /** The statistics of {@code t}, once per storage array. */
        Stats statsOf(Tensor t) {
            return byStorage.computeIfAbsent(t.data().array(), k -> Stats.of(t));
        }

        /** Whether {@code t}'s storage was summarized already. */
        boolean summarized(Tensor t) {
            return byStorage.containsKey(t.data().array());
        }

        /** Stores the statistics of layer output {@code name}, the tensor {@code t}, computed elsewhere. */
        void putValue(String name, Tensor t, Stats s) {
            byStorage.put(t.data().array(), s);
            valueStats.put(name, s);
        }
    }

    /** Starts recording {@code step}: the observer of its forward pass (after {@link #drop} of any recording before). */
    ForwardContext.LayerObserver begin(long step) {
        Recording rec = new Recording(step);
        recording = rec;
        return new ForwardContext.LayerObserver() {
            @Override
            public void onOutput(String name, Layer layer, Tensor out) {
                rec.outputs.put(out, name);
                LayerKind kind = nodes.get(name).layerKind();
                // a relu's units: read in the pass over its input when there is one (deferred), else here
                Fusions.UnitMaxima units = kind == LayerKind.RELU ? new Fusions.UnitMaxima(out) : null;
                boolean deferred = rec.values.output(name, out, units);
                if (units != null && !deferred) rec.unitFractions.put(name, deadFraction(name, units.positive(out)));
                else if (kind.saturates()) rec.unitFractions.put(name, saturatedFraction(kind, out));
            }

            @Override
            public ThroughTime throughTime(String name, int k) {
                ThroughTime sink = new ThroughTime();
                rec.throughTime.computeIfAbsent(name, n -> new ArrayList<>()).add(sink);
                return sink;
            }
        };
    }

    /** Forgets the step being recorded (its passes finished first); nothing of it reaches the histories. */
    void drop() {
        if (recording != null) recording.values.finish(this::deadFraction);
        recording = null;
    }

    /** The recording of {@code step}, or null when it is not being recorded. */
    private Recording of(long step) {
        return recording != null && recording.step == step ? recording : null;
    }

    /** The listener of {@code step}'s backward pass that records the gradient at each layer output; null when not recording. */
    Backward.GradListener gradients(long step) {
        Recording rec = of(step);
        if (rec == null) return null;
        rec.values.flush();
        return new Backward.GradListener() {
            @Override
            public void onGrad(Tensor tensor, Tensor grad) {
                String name = rec.outputs.get(tensor);
                if (name == null) rec.gradients.passing(tensor);
                else rec.gradStats.put(name, rec.gradients.statsOf(rec, tensor, grad));
            }

            @Override
            public void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {
                rec.gradients.rule(node, gradOut, gradIns);
            }
        };
    }

    /** The backward pass is over: the deferred passes are finished. */
    void backwardDone() {
        if (recording != null) recording.values.finish(this::deadFraction);
    }

    /** Whether everything {@code step}'s recording saw so far is finite (true when it is not recorded). */
    boolean allFinite(long step) {
        Recording rec = of(step);
        return rec == null || rec.allFinite();
    }

    /**
     * Before {@code step}'s update: the parameters' weights and gradients as the update will use them,
     * and the weights copied to measure the update by.
     */
    void beforeUpdate(long step) {
        Recording rec = of(step);
        if (rec == null) return;
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

    /** After {@code step}'s update: its records reach the histories. True when the step was recorded. */
    boolean afterUpdate(long step) {
        Recording rec = of(step);
        recording = null;
        if (rec == null) return false;
        rec.values.flush();
        for (Map.Entry<String, NodeHistory> e : nodes.entrySet()) {
            NodeHistory h = e.getValue();
            String name = e.getKey();
            if (h.kind() == NodeHistory.Kind.ACTIVATION) {
                Stats v = rec.valueStats.get(name);
                if (v == null) continue;
                Double frac = rec.unitFractions.get(name);
                h.add(StepRecord.activation(step, v, rec.gradStats.get(name), h.layerKind(), frac == null ? Double.NaN : frac,
                        ThroughTimeProfile.of(rec.throughTime.get(name))));
            } else if (rec.weights.containsKey(name)) {
                Tensor now = optimizer.parameters().get(name), then = weightsBefore.get(name);
                double update = Math.sqrt(Kernels.squaredDistance(now.data(), then.data(), now.numel()));
                h.add(StepRecord.parameter(step, rec.weights.get(name), rec.grads.get(name), update));
            }
        }
        return true;
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
