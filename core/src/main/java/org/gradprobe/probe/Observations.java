package org.gradprobe.probe;

import java.util.List;
import java.util.Map;

/**
 * What the detectors judge: the recorded histories of a run's nodes (layer outputs and parameters, in
 * forward order), its recorded losses, its first NaN or Inf, and the thresholds. The engine's {@link Probe}
 * gathers them from its own training; {@link ParameterHistories} from a training it sees only through its
 * parameters (gradprobe-djl).
 */
public interface Observations {
    ProbeConfig config();

    /** The histories by node name, in forward order. */
    Map<String, NodeHistory> nodes();

    /** The first NaN or Inf, or null. */
    NonFiniteEvent firstNonFinite();

    /** The recorded losses: {step, loss} pairs. */
    List<double[]> losses();

    /** Steps taken. */
    long steps();

    /**
     * Kinds of layer the network has besides those of its recorded nodes (a DJL network's activation blocks,
     * whose outputs are not recorded), for advice that depends on them ("replace sigmoid/tanh").
     */
    default java.util.Set<LayerKind> unrecordedKinds() {
        return java.util.Set.of();
    }
}
