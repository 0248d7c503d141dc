package org.gradprobe.probe;

import java.util.List;
import org.gradprobe.train.TrainingListener;

/**
 * Where the first NaN or Inf of a run came from: the node that produced it from finite inputs (not one
 * that merely passed it on), its op, the pass (forward, backward or update), the step, and statistics
 * of the inputs the op was given.
 */
public record NonFiniteEvent(String node, String op, String pass, long step, List<Stats> inputs, Stats output)
        implements TrainingListener.NonFinite {
    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("first non-finite value produced by %s (op %s) in the %s pass at step %d: output has %d NaN, %d Inf",
                node, op, pass, step, output.nans(), output.infs()));
        for (int i = 0; i < inputs.size(); i++) {
            Stats s = inputs.get(i);
            if (s != null) sb.append(String.format("; input %d max|x| %.3g rms %.3g", i, s.maxAbs(), s.rms()));
        }
        return sb.toString();
    }
}
