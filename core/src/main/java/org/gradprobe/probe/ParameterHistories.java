package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The histories of a training the probe sees only through its parameters, as gradprobe-djl sees a DJL
 * training: each parameter's weights, gradient and update at the recorded steps, the losses, the first NaN
 * or Inf. The detectors judge each layer by its weight's gradient against the last layer's (vanishing,
 * exploding), its update/weight ratio, its non-finite values, and the loss; without the layers' outputs
 * there is nothing to judge dead or saturated units by.
 */
public final class ParameterHistories implements Observations {
    private final ProbeConfig config;
    private final Map<String, NodeHistory> nodes = new LinkedHashMap<>();
    private final List<double[]> losses = new ArrayList<>();
    private final java.util.Set<LayerKind> unrecorded = java.util.EnumSet.noneOf(LayerKind.class);
    private NonFiniteEvent first;
    private long steps;

    public ParameterHistories(ProbeConfig config) {
        this.config = config;
    }

    /**
     * Parameter {@code name} (a state_dict name: its layer is what comes before the last dot) of a layer of kind
     * {@code layerKind}, at {@code step}: its weights and gradient before the update, and the update's L2 norm
     * (NaN when not known). Parameters are kept in the order they are first recorded: the network's forward order.
     */
    public void record(String name, String layerKind, int[] shape, long step, Stats weights, Stats grad, double updateNorm) {
        String layer = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        nodes.computeIfAbsent(name, n -> new NodeHistory(n, layer, layerKind, NodeHistory.Kind.PARAMETER, shape, config.capacity()))
                .add(StepRecord.parameter(step, weights, grad, updateNorm));
        steps = Math.max(steps, step);
    }

    /** The kinds of the network's layers that have no parameters to record ("relu", "sigmoid", ...), for the advice. */
    public void layerKinds(java.util.Collection<String> kinds) {
        for (String k : kinds) unrecorded.add(LayerKind.of(k));
    }

    @Override
    public java.util.Set<LayerKind> unrecordedKinds() {
        return Collections.unmodifiableSet(unrecorded);
    }

    /** The loss at a recorded step. */
    public void loss(long step, double loss) {
        losses.add(new double[] {step, loss});
        steps = Math.max(steps, step);
    }

    /** Steps taken so far (recorded or not). */
    public void steps(long n) {
        steps = Math.max(steps, n);
    }

    /** The first NaN or Inf (later ones are ignored). */
    public void nonFinite(NonFiniteEvent e) {
        if (first == null) first = e;
    }

    @Override public ProbeConfig config() { return config; }
    @Override public Map<String, NodeHistory> nodes() { return Collections.unmodifiableMap(nodes); }
    @Override public NonFiniteEvent firstNonFinite() { return first; }
    @Override public List<double[]> losses() { return Collections.unmodifiableList(losses); }
    @Override public long steps() { return steps; }

    /** The verdicts of every layer with a weight, in forward order. */
    public List<LayerVerdict> verdicts() {
        return Detectors.run(this);
    }

    /** The verdicts, the loss's, the first NaN or Inf. */
    public Diagnosis diagnosis() {
        return Diagnosis.of(this);
    }
}
