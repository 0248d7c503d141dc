package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns the probe's histories into verdicts. Each check looks at the last {@code window} recorded
 * steps and raises its verdict only when its condition holds in at least {@code persist} of them, and
 * there are at least 3 (1 once a NaN or Inf has stopped the run: its few steps are all there is to
 * explain it) (see {@link ProbeConfig} for every threshold):
 * <ul>
 *   <li>vanishing: the median over the window of the norm of the gradient arriving at the layer's output
 *       is below {@code vanishRatio} of the one arriving at the network's output, or the median of its RMS
 *       is below {@code vanishAbs} and below {@code vanishRatio} of the output's RMS (a network that fits its
 *       data has tiny gradients everywhere, and that is no pathology). The median rather than the persistence count: through saturated units
 *       a gradient arrives in rare bursts (one step in four at 0.7 of the output's, the rest at 1e-7),
 *       and those bursts must not hide a layer that does not learn; half the window must still agree. Before
 *       a dead relu layer, the advice names that layer (evidence {@code cut_off_by});</li>
 *   <li>exploding: the median of that ratio is above {@code explodeRatio} (the median for the same reason:
 *       a run that blows up has steps where a layer's units all went quiet), or the layer's gradient norm is
 *       above {@code spikeFactor} times the median of its own earlier history;</li>
 *   <li>dead: the fraction of ReLU units inactive on every sample of the last {@code window} recorded
 *       batches (so their gradient is always zero) is above {@code deadFraction};</li>
 *   <li>saturated: the fraction of sigmoid/tanh outputs within 1% of their bounds is above {@code saturatedFraction};</li>
 *   <li>update_ratio: a weight's update/weight norm ratio is outside [{@code ratioLow}, {@code ratioHigh}];</li>
 *   <li>vanishing_through_time and exploding_through_time (recurrent layers): the median over the window of the
 *       gradient norm at the hidden state's first time step over the one at its last is below {@code timeVanishRatio}
 *       or above {@code timeExplodeRatio}, for any of the layer's stacked layers;</li>
 *   <li>nonfinite: a NaN or Inf in the layer's values or gradients, or the layer produced the first one.</li>
 * </ul>
 * Loss divergence is judged for the whole model ({@link #lossVerdict}).
 */
public final class Detectors {
    private Detectors() {}

    /** The verdicts of every layer, in forward order, on the probe's current histories. */
    public static List<LayerVerdict> run(Observations probe) {
        ProbeConfig c = probe.config();
        Map<String, NodeHistory> nodes = probe.nodes();
        List<NodeHistory> acts = new ArrayList<>();
        for (NodeHistory h : nodes.values()) if (h.kind() == NodeHistory.Kind.ACTIVATION) acts.add(h);
        // a training seen only through its parameters (gradprobe-djl): each layer judged by its weight's gradient,
        // against the last layer's
        if (acts.isEmpty()) for (NodeHistory h : nodes.values()) if (h.name().endsWith(".weight")) acts.add(h);
        NodeHistory outputNode = acts.isEmpty() ? null : acts.get(acts.size() - 1);
        List<LayerVerdict> out = new ArrayList<>();
        NonFiniteEvent nf = probe.firstNonFinite();
        // records a verdict needs: a few, so one noisy batch raises nothing; but a run a NaN or Inf stopped
        // may have recorded only one or two steps, and those are all there will be to explain it
        int enough = nf != null ? 1 : Math.min(c.window(), 3);
        // the dead relu layer nearest the output: little or no gradient gets past it, so a gradient that
        // vanishes before it is that layer's doing, not the depth's
        int lastDead = -1;
        for (int i = 0; i < acts.size(); i++) if (dead(acts.get(i), c, enough)) lastDead = i;
        for (int at = 0; at < acts.size(); at++) {
            NodeHistory act = acts.get(at), cut = at < lastDead ? acts.get(lastDead) : null;
            String layer = act.layer();
            NodeHistory weight = nodes.get(layer + ".weight");
            List<Verdict> verdicts = new ArrayList<>();
            List<Advice> advice = new ArrayList<>();
            List<StepRecord> w = act.last(c.window());
            List<StepRecord> ref = outputNode == null ? List.of() : outputNode.last(c.window());
            StepRecord latest = act.latest();
            // ratio of the gradient at this layer's output to the gradient at the network's output, step by step
            double[] ratio = new double[Math.min(w.size(), ref.size())], rmsRatio = new double[ratio.length];
            for (int i = 0; i < ratio.length; i++) {
                StepRecord a = w.get(w.size() - ratio.length + i), r = ref.get(ref.size() - ratio.length + i);
                ratio[i] = a.gradNorm() / r.gradNorm();
                rmsRatio[i] = a.gradRms() / r.gradRms();
            }
            Double weightNorm = null, weightGradNorm = null, updateRatio = null;
            if (weight != null && weight.latest() != null) {
                StepRecord wl = weight.latest();
                weightNorm = wl.value().norm();
                weightGradNorm = wl.gradNorm();
                double[] ur = weight.last(c.window()).stream().mapToDouble(StepRecord::updateRatio).toArray();
                updateRatio = median(ur);
                if (persists(ur, v -> v < c.ratioLow() || v > c.ratioHigh(), c, enough)) {
                    verdicts.add(Verdict.UPDATE_RATIO);
                    // the advice names the band, not this layer's ratio (that is in the evidence), so that layers with the same advice share it
                    advice.add(Advice.of(median(ur) >= c.ratioLow()
                            ? String.format("updates are above %.0e of the weights (healthy: about 1e-3): lower the learning rate or clip gradients", c.ratioHigh())
                            : lastDead >= 0 ? String.format("updates are below %.0e of the weights (healthy: about 1e-3): the dead ReLU layer %s passes little "
                                    + "gradient back and little signal forward", c.ratioLow(), acts.get(lastDead).layer())
                            : String.format("updates are below %.0e of the weights (healthy: about 1e-3): raise the learning rate or fix the vanishing gradient",
                                    c.ratioLow())));
                }
            }
            boolean isOutput = act == outputNode;
            double[] rms = w.stream().mapToDouble(StepRecord::gradRms).toArray();
            String cutOffBy = null;
            // tiny in absolute terms counts only when also tiny next to the output's, value by value: a network
            // that fits its batches has tiny gradients everywhere (the seed CNN on learnable synthetic images
            // reached an RMS of 3e-8 at conv1 with the same RMS ratio to the output as at the start)
            if (!isOutput && (typical(ratio, enough) < c.vanishRatio()
                    || typical(rms, enough) < c.vanishAbs() && typical(rmsRatio, enough) < c.vanishRatio())) {
                verdicts.add(Verdict.VANISHING);
                if (cut != null) {
                    cutOffBy = cut.layer();
                    advice.add(Advice.of("the gradient is cut off by the dead ReLU layer " + cut.layer() + " after this one: fix that layer first (see its advice)"));
                } else {
                    advice.add(vanishingAdvice(probe));
                }
            }
            boolean spike = spikes(act, c);
            if (!isOutput && typical(ratio, enough) > c.explodeRatio() || spike) {
                verdicts.add(Verdict.EXPLODING);
                advice.add(Verdict.EXPLODING.remedy().after("gradients grow on their way back"));
            }
            Evidence.TimeEvidence time = act.layerKind().recurrent() ? throughTime(w, c, enough) : null;
            if (time != null && time.firstToLast() < c.timeVanishRatio()) {
                verdicts.add(Verdict.VANISHING_THROUGH_TIME);
                String finding = String.format("the gradient at the first of %d steps is below %.0e of the one at the last", time.steps(),
                        c.timeVanishRatio());
                advice.add(act.layerKind() == LayerKind.RNN ? Verdict.VANISHING_THROUGH_TIME.remedy().after(finding) : GATED_MEMORY.after(finding));
            } else if (time != null && time.firstToLast() > c.timeExplodeRatio()) {
                verdicts.add(Verdict.EXPLODING_THROUGH_TIME);
                advice.add(Verdict.EXPLODING_THROUGH_TIME.remedy().after(String.format("the gradient at the first of %d steps is above %.0e times the one "
                        + "at the last", time.steps(), c.timeExplodeRatio())));
            }
            double[] fr = w.stream().mapToDouble(r -> act.layerKind() == LayerKind.RELU ? r.deadFraction() : r.saturatedFraction()).toArray();
            Double deadFraction = null, saturatedFraction = null;
            if (act.layerKind() == LayerKind.RELU && fr.length > 0) {
                deadFraction = median(fr);
                if (dead(act, c, enough)) {
                    verdicts.add(Verdict.DEAD);
                    advice.add(Verdict.DEAD.remedy().after(String.format("over %.0f%% of ReLU units never fire", 100 * c.deadFraction())));
                }
            }
            if (act.layerKind().saturates() && fr.length > 0) {
                saturatedFraction = median(fr);
                if (persists(fr, v -> v > c.saturatedFraction(), c, enough)) {
                    verdicts.add(Verdict.SATURATED);
                    advice.add(Verdict.SATURATED.remedy().after(String.format("over %.0f%% of %s outputs sit at their bounds, where the gradient is ~0",
                            100 * c.saturatedFraction(), act.layerKindName())));
                }
            }
            long bad = 0;
            for (StepRecord r : act.records()) bad += r.value().nans() + r.value().infs() + (r.grad() == null ? 0 : r.grad().nans() + r.grad().infs());
            if (weight != null && weight != act) for (StepRecord r : weight.records()) bad += r.value().nans() + r.value().infs();
            boolean produced = nf != null && (layer.equals(nf.node()) || nf.node().startsWith(layer + "."));
            Long nonfiniteValues = null;
            if (bad > 0 || produced) {
                verdicts.add(Verdict.NONFINITE);
                nonfiniteValues = bad;
                advice.add(produced ? Verdict.NONFINITE.remedy().after("this layer produced the first NaN/Inf (" + nf.pass() + " pass, step " + nf.step() + ")")
                        : Advice.of("NaN/Inf passed through this layer"));
            }
            if (verdicts.isEmpty()) verdicts.add(Verdict.HEALTHY);
            Evidence ev = new Evidence(latest == null ? null : new long[] {w.get(0).fromStep(), latest.toStep()},
                    latest == null ? null : latest.gradNorm(), latest == null ? null : latest.gradRms(),
                    latest == null ? null : latest.value().rms(), latest == null || latest.grad() == null ? null : latest.grad().zeroFraction(),
                    ratio.length > 0 ? median(ratio) : null, weightNorm, weightGradNorm, updateRatio, cutOffBy, spike, deadFraction,
                    saturatedFraction, nonfiniteValues, time);
            out.add(new LayerVerdict(layer, act.layerKindName(), verdicts, ev, advice));
        }
        return out;
    }

    /**
     * The loss's verdicts: {@link Verdict#DIVERGING} when the finite losses grew above {@code divergeFactor}
     * times the start (the lowest of the first three), {@link Verdict#NONFINITE} when a loss was NaN or Inf;
     * {@link Verdict#HEALTHY} otherwise.
     */
    public static LossVerdict lossVerdict(Observations probe) {
        List<double[]> l = probe.losses();
        List<Verdict> verdicts = new ArrayList<>();
        List<Double> finite = new ArrayList<>();
        Double first = null, last = null;
        boolean nonfinite = false;
        for (double[] x : l) {
            if (Double.isFinite(x[1])) finite.add(x[1]);
            else nonfinite = true;
        }
        if (!finite.isEmpty()) {
            // the start is the lowest of the first three losses, before a bad learning rate has had time to act
            double start = Double.POSITIVE_INFINITY;
            for (int i = 0; i < Math.min(3, finite.size()); i++) start = Math.min(start, finite.get(i));
            int k = Math.max(1, Math.min(50, finite.size() / 5));
            double recent = 0;
            for (int i = finite.size() - k; i < finite.size(); i++) recent += finite.get(i);
            recent /= k;
            first = start;
            last = recent;
            // three losses at least, or two when a NaN or Inf stopped the run
            if (finite.size() >= (probe.firstNonFinite() != null ? 2 : 3) && recent > probe.config().divergeFactor() * start) verdicts.add(Verdict.DIVERGING);
        }
        if (nonfinite) verdicts.add(Verdict.NONFINITE);
        if (verdicts.isEmpty()) verdicts.add(Verdict.HEALTHY);
        List<Advice> advice = verdicts.get(0) == Verdict.HEALTHY ? List.of() : List.of(Verdict.DIVERGING.remedy().after("the loss grows or overflows"));
        return new LossVerdict(first, last, verdicts, advice);
    }

    /**
     * A recurrent layer's gradient through time over the window: for each of its stacked layers, the median of
     * the first step's gradient norm over the last's; the stacked layer furthest from 1 (on a log scale) is the
     * evidence. Null when fewer than {@code enough} records hold a profile.
     */
    private static Evidence.TimeEvidence throughTime(List<StepRecord> w, ProbeConfig c, int enough) {
        List<ThroughTimeProfile> profiles = new ArrayList<>();
        for (StepRecord r : w) if (r.throughTime() != null) profiles.add(r.throughTime());
        if (profiles.size() < Math.max(1, enough)) return null;
        ThroughTimeProfile latest = profiles.get(profiles.size() - 1);
        Evidence.TimeEvidence worst = null;
        for (int k = 0; k < latest.layers(); k++) {
            final int layer = k;
            // a gradient that overflowed to Inf or NaN on its way back to the first step counts as exploding
            double m = median(profiles.stream().filter(p -> p.layers() > layer)
                    .mapToDouble(p -> Double.isFinite(p.norms()[layer][0]) ? p.firstToLast(layer) : Double.POSITIVE_INFINITY).toArray());
            Evidence.TimeEvidence e = new Evidence.TimeEvidence(k, latest.steps(), m, latest.memory(k, c.timeVanishRatio()), c.timeVanishRatio());
            if (worst == null || Math.abs(Math.log(m)) > Math.abs(Math.log(worst.firstToLast()))) worst = e;
        }
        return worst;
    }

    /**
     * Vanishing through time in an LSTM or GRU: the gate that carries the memory (the LSTM's forget gate, the
     * GRU's update gate) is still mostly closed, as at PyTorch's initialization (σ(0) = 0.5 a step). A positive
     * bias opens it from the start (Gers et al., 2000; Jozefowicz et al., 2015); gated networks also often cross
     * a plateau before they carry a gradient far back.
     */
    static final Advice GATED_MEMORY = Advice.of("the gate that keeps the memory (the LSTM's forget gate, the GRU's update gate) is "
            + "mostly closed: ", new Advice.Remedy(Advice.Setting.BIAS_INIT, 1), " to open it from the start, train longer (gated networks "
            + "often cross a plateau before they remember far back), or train on shorter sequences");

    private static Advice vanishingAdvice(Observations probe) {
        boolean sigmoidish = false, hasNorm = false;
        for (LayerKind k : probe.unrecordedKinds()) sigmoidish |= k.saturates();
        for (NodeHistory h : probe.nodes().values()) {
            sigmoidish |= h.layerKind().saturates();
            hasNorm |= h.layerKind() == LayerKind.BATCHNORM;
        }
        StringBuilder sb = new StringBuilder("the gradient reaching this layer is tiny, so it barely learns: ");
        if (sigmoidish) sb.append("replace sigmoid/tanh with relu or gelu, ");
        if (!hasNorm) sb.append("add batchnorm, ");
        sb.append("use residual connections or a shallower network, and he-normal (ReLU) or xavier (tanh) initialization");
        return Advice.of(sb.toString());
    }

    /** A relu layer whose units are inactive on every sample of the window, for most of it. */
    private static boolean dead(NodeHistory act, ProbeConfig c, int enough) {
        if (act.layerKind() != LayerKind.RELU) return false;
        double[] fr = act.last(c.window()).stream().mapToDouble(StepRecord::deadFraction).toArray();
        return persists(fr, v -> v > c.deadFraction(), c, enough);
    }

    /** The layer's gradient norm is far above its own earlier history over the recent window. */
    private static boolean spikes(NodeHistory h, ProbeConfig c) {
        List<StepRecord> all = h.records();
        if (all.size() < 2 * c.window()) return false;
        double[] early = all.subList(0, all.size() - c.window()).stream().mapToDouble(StepRecord::gradNorm).toArray();
        double base = median(early);
        double[] recent = h.last(c.window()).stream().mapToDouble(StepRecord::gradNorm).toArray();
        return base > 0 && persists(recent, v -> v > c.spikeFactor() * base, c, Math.min(c.window(), 3));
    }

    interface Test {
        boolean holds(double v);
    }

    /** The condition holds in at least {@code persist} of the values (NaN values count as not holding), and there are {@code enough} of them. */
    static boolean persists(double[] values, Test t, ProbeConfig c, int enough) {
        if (values.length == 0) return false;
        int n = 0;
        for (double v : values) if (!Double.isNaN(v) && t.holds(v)) n++;
        return n >= Math.ceil(c.persist() * Math.min(values.length, c.window())) && values.length >= enough;
    }

    /** The median of a window that holds {@code enough} records to judge (NaN otherwise, which fails every test). */
    static double typical(double[] values, int enough) {
        return values.length >= Math.max(1, enough) ? median(values) : Double.NaN;
    }

    static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (s.length == 0) return Double.NaN;
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
