package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.autograd.Node;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.tensor.Tensor;

/** Names the node that produced a step's first NaN or Inf, by replaying the step (the probe's non-finite localization). */
final class Localizer {
    private Localizer() {}

    /**
     * Replays the step on the same batch and weights (the update was not applied), watching every op:
     * in the forward pass, the first op whose output is non-finite while its inputs are finite; in the
     * backward pass, the first rule that turns a finite gradient into a non-finite one.
     */
    static NonFiniteEvent replay(Model model, Optimizer optimizer, Loss lossFn, long step, Tensor input, Targets targets) {
        Map<String, Tensor> savedBuffers = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (!optimizer.parameters().containsKey(e.getKey())) savedBuffers.put(e.getKey(), e.getValue().copy());
        }
        Map<Tensor, String> names = new IdentityHashMap<>();
        NonFiniteEvent[] found = new NonFiniteEvent[1];
        Map<Tensor, String> producers = new IdentityHashMap<>();
        if (!Stats.allFinite(input)) {
            found[0] = new NonFiniteEvent("input", "data", "forward", step, List.of(), Stats.of(input));
        }
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            if (found[0] == null && !Stats.allFinite(e.getValue())) {
                // a weight that is already non-finite (set so, or loaded so): it is the origin, not the ops that read it
                found[0] = new NonFiniteEvent(e.getKey(), "parameter", "forward", step, List.of(), Stats.of(e.getValue()));
            }
        }
        Node.setObserver((op, out, ins) -> {
            if (found[0] != null || Stats.allFinite(out)) return;
            List<Stats> inStats = new ArrayList<>();
            boolean insFinite = true;
            for (Tensor t : ins) {
                if (t == null) {
                    inStats.add(null);
                    continue;
                }
                Stats s = Stats.of(t);
                inStats.add(s);
                insFinite &= s.allFinite();
            }
            if (insFinite) {
                producers.put(out, op);
                found[0] = new NonFiniteEvent(null, op, "forward", step, inStats, Stats.of(out));
            }
        });
        Tensor loss;
        Tensor producedOut = null;
        try {
            ForwardContext ctx = new ForwardContext(true, new SplittableRandom(step), (name, layer, out) -> names.put(out, name));
            Tensor logits = model.forward(input, ctx);
            loss = lossFn.compute(logits, targets);
            names.put(loss, "loss");
        } finally {
            Node.setObserver(null);
        }
        for (Map.Entry<Tensor, String> e : producers.entrySet()) producedOut = e.getKey();
        if (found[0] != null && found[0].node() == null) {
            String node = producedOut != null && names.containsKey(producedOut) ? names.get(producedOut) : "loss";
            found[0] = new NonFiniteEvent(node, found[0].op(), "forward", step, found[0].inputs(), found[0].output());
        }
        if (found[0] == null) {
            model.zeroGrad();
            Backward.backward(loss, Tensor.full(loss.dtype, 1.0, loss.shape()), new Backward.GradListener() {
                @Override
                public void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {
                    if (found[0] != null || !Stats.allFinite(gradOut)) return;
                    for (Tensor g : gradIns) {
                        if (g != null && !Stats.allFinite(g)) {
                            List<Stats> in = new ArrayList<>();
                            in.add(Stats.of(gradOut));
                            for (Tensor t : node.inputs()) in.add(t == null ? null : Stats.of(t));
                            String where = node.label() != null ? node.label() : node.op();
                            found[0] = new NonFiniteEvent(where, node.op(), "backward", step, in, Stats.of(g));
                            return;
                        }
                    }
                }
            });
        }
        Map<String, Tensor> state = model.stateDict();
        for (Map.Entry<String, Tensor> e : savedBuffers.entrySet()) state.get(e.getKey()).copyFrom(e.getValue());
        if (found[0] == null) {
            // the replay came out finite (a random mask differed): report what the cheap check saw
            return new NonFiniteEvent("loss", lossFn.name(), "forward", step, List.of(), new Stats());
        }
        return found[0];
    }
}
