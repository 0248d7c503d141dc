package org.gradprobe.probe;

import java.util.List;
import org.gradprobe.ops.ThroughTime;

/**
 * A recurrent layer's gradient through time at one recorded step: for each of its stacked layers (k = 0
 * first), the L2 norm and RMS of ∂L/∂h_t over the batch at every time step t.
 */
public record ThroughTimeProfile(double[][] norms, double[][] rms) {

    /** From the filled sinks of one backward pass, stacked layer by stacked layer; null when none was filled. */
    static ThroughTimeProfile of(List<ThroughTime> sinks) {
        if (sinks == null || sinks.isEmpty() || !sinks.get(0).filled()) return null;
        double[][] n = new double[sinks.size()][], r = new double[sinks.size()][];
        for (int k = 0; k < n.length; k++) {
            ThroughTime s = sinks.get(k);
            n[k] = new double[s.steps()];
            r[k] = new double[s.steps()];
            for (int t = 0; t < s.steps(); t++) {
                n[k][t] = s.norm(t);
                r[k][t] = s.rms(t);
            }
        }
        return new ThroughTimeProfile(n, r);
    }

    /** The stacked layers. */
    public int layers() { return norms.length; }

    /** The time steps. */
    public int steps() { return norms[0].length; }

    /** Stacked layer k's gradient norm at its first time step over the one at its last (NaN when both are 0). */
    public double firstToLast(int k) {
        double[] n = norms[k];
        return n[0] / n[n.length - 1];
    }

    /**
     * Stacked layer k's effective memory: how many steps back from the last the gradient stays at or above
     * {@code fraction} of the last step's (the whole length when it never falls below).
     */
    public int memory(int k, double fraction) {
        double[] n = norms[k];
        double last = n[n.length - 1];
        for (int t = n.length - 2; t >= 0; t--) if (!(n[t] >= fraction * last)) return n.length - 1 - t;
        return n.length;
    }
}
