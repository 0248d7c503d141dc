package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import org.gradprobe.autograd.Derivable;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.kernels.Storage;
import org.gradprobe.tensor.Tensor;

/**
 * The probe's exact derivations: statistics it computes from a smaller or an already-read tensor
 * instead of reading one more, each allowed by what an op declares on its node ({@link Derivable}).
 * Tests compare every derived record with the statistics of the tensor itself.
 * <ul>
 *   <li>{@link Values}: a relu's output is summarized in the same pass as its input (the layer before
 *       it), which also notes which units were positive; that pass runs in the compute threads' idle
 *       time until the backward pass ends.</li>
 *   <li>{@link Gradients}: a gradient that max pooling routed to its input (windows that do not overlap)
 *       holds the pooled gradient's values plus zeros; gated after by the relu whose output the pooling
 *       read, it holds those values where the pooled value is positive, plus zeros.</li>
 *   <li>{@link UnitMaxima}: each unit's largest value over a batch, read from either side of a relu.</li>
 * </ul>
 */
final class Fusions {
    private Fusions() {}

    /**
     * A recorded step's layer outputs: each is held back until the next one shows whether a relu reads
     * it; a relu of the held output is then summarized with it in one deferred pass.
     */
    static final class Values {
        private final Recorder.Recording rec;
        private Tensor held;
        private String heldName;

        /** A relu's pass over its input, running in the compute threads' idle time until {@link #finish}. */
        private record Pending(String inputName, Tensor input, String reluName, Tensor out, UnitMaxima units, Stats.Deferred pass) {}

        private final List<Pending> pending = new ArrayList<>();

        Values(Recorder.Recording rec) {
            this.rec = rec;
        }

        /**
         * Records layer {@code name}'s output; a relu's is summarized in one pass with its input, when
         * held, and that pass reads its units too. True when the pass was deferred (the relu's dead units
         * are then counted when it finishes).
         */
        boolean output(String name, Tensor out, UnitMaxima units) {
            Node node = out.node();
            if (held != null && node != null && node.derivable() == Derivable.RELU && node.inputs()[0] == held && !rec.summarized(held)) {
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
        void finish(BiFunction<String, boolean[], Double> dead) {
            for (Pending p : pending) {
                Stats[] both = p.pass().finish();
                rec.putValue(p.inputName(), p.input(), both[0]);
                rec.putValue(p.reluName(), p.out(), both[1]);
                if (p.units() != null) rec.unitFractions.put(p.reluName(), dead.apply(p.reluName(), p.units().positive(p.out())));
            }
            pending.clear();
        }

        /** Summarizes the held output: the forward pass is over, or the next layer is no relu of it. */
        void flush() {
            if (held == null) return;
            rec.valueStats.put(heldName, rec.statsOf(held));
            held = null;
        }
    }

    /**
     * A recorded step's gradients routed by max pooling and maybe gated after by relu, each with the
     * output gradient it was routed from: their statistics follow from that smaller tensor's. Fed by
     * the backward walk's events in order.
     */
    static final class Gradients {
        private final Map<Tensor, Route> routes = new IdentityHashMap<>();
        private Tensor last;    // the tensor whose gradient the next rule receives

        /**
         * The statistics of {@code grad}, the final gradient of {@code tensor}: derived when it was routed
         * and reached its tensor alone (not summed with another), else read.
         */
        Stats statsOf(Recorder.Recording rec, Tensor tensor, Tensor grad) {
            last = tensor;
            Route r = routes.get(grad);
            return r == null ? rec.statsOf(grad) : r.stats(rec, grad.numel());
        }

        /** Notes the gradient {@code tensor} receives before its rule runs (one that is not recorded). */
        void passing(Tensor tensor) {
            last = tensor;
        }

        /** A rule turned {@code gradOut} into {@code gradIns}: a routing or a gate is noted. */
        void rule(Node node, Tensor gradOut, Tensor[] gradIns) {
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
    }

    /**
     * A gradient routed from {@code source} (the gradient of the routing op's output {@code pooled}) to
     * the routing op's input {@code routedTo}, and, when {@code gated}, then passed only where
     * {@code pooled} is positive.
     */
    private record Route(Tensor source, Tensor pooled, Tensor routedTo, boolean gated) {
        Stats stats(Recorder.Recording rec, long numel) {
            long zeros = numel - source.numel();
            return (gated ? Stats.gated(source, pooled, true) : rec.statsOf(source).copy()).withZeros(zeros);
        }
    }

    /**
     * The largest value of each unit (element of one sample) over a batch, gathered from ranges of the
     * flat tensor read on any of the compute threads: each thread that takes part keeps maxima of its
     * own (a maximum does not depend on the order), merged at the end. A relu's output is positive where
     * its input is, so either can be read.
     */
    static final class UnitMaxima {
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
}
