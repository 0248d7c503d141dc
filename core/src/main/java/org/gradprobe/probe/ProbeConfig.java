package org.gradprobe.probe;

/**
 * When the probe records and the thresholds of its detectors. Every threshold is documented here, in
 * the README and in {@code gradprobe diagnose --help}; the defaults were chosen on the pathology zoo
 * (healthy scenarios raise nothing, each pathology raises its verdict).
 *
 * @param every          record every k-th step (1 = every step); non-finite checks run on every step regardless
 * @param capacity       recorded steps kept per node; older ones are merged pairwise (extremes kept)
 * @param window         a verdict must hold over the last {@code window} recorded steps ...
 * @param persist        ... in at least this fraction of them, so one noisy batch raises nothing
 * @param vanishRatio    vanishing: the gradient norm at a layer's output below this fraction of the network output's
 * @param vanishAbs      vanishing: or the RMS of the gradient at a layer's output below this (and below vanishRatio of the output's RMS)
 * @param explodeRatio   exploding: the gradient norm at a layer's output above this multiple of the network output's
 *                       (1e2: in 41 healthy networks swept when it was chosen, UnseenScenariosTest's among them, the
 *                       ratio stayed below 3.1, while a ReLU MLP at 3x He scale and depth 6 reaches a few hundred,
 *                       which 1e3 missed)
 * @param spikeFactor    exploding: a gradient norm above this multiple of the median of the layer's own history
 * @param deadFraction   dead: fraction of ReLU units inactive on every sample of the last {@code window} recorded batches above this
 * @param saturatedFraction saturated: fraction of sigmoid/tanh outputs within 1% of their bounds above this
 * @param ratioLow       update_ratio: update/weight norm ratio below this (DL4J's guidance: worry below 1e-4)
 * @param ratioHigh      update_ratio: update/weight norm ratio above this (DL4J's guidance: worry above 1e-2)
 * @param divergeFactor  divergence: recent mean loss above this multiple of the loss at the start (lowest of the first 3 steps)
 * @param timeVanishRatio  vanishing_through_time: in a recurrent layer, the gradient at its hidden state at the first time step
 *                       below this fraction of the one at the last (1e-3: the step where it falls below that is the evidence's
 *                       effective memory, so the verdict says the network cannot remember back to the sequence's start)
 * @param timeExplodeRatio exploding_through_time: that ratio above this
 */
public record ProbeConfig(int every, int capacity, int window, double persist, double vanishRatio, double vanishAbs,
                          double explodeRatio, double spikeFactor, double deadFraction, double saturatedFraction,
                          double ratioLow, double ratioHigh, double divergeFactor, double timeVanishRatio, double timeExplodeRatio) {

    /**
     * The default interval: PyTorch Lightning's default logging interval. What recording costs at this
     * interval and at every step is measured by {@code gradprobe bench} (docs/speed.md).
     */
    public static final int DEFAULT_EVERY = 50;

    public ProbeConfig {
        if (every < 1) throw new IllegalArgumentException("invalid probe interval: " + every);
        if (capacity < 8) throw new IllegalArgumentException("invalid history capacity: " + capacity + " (at least 8)");
        if (window < 1) throw new IllegalArgumentException("invalid verdict window: " + window);
        if (!(persist > 0 && persist <= 1)) throw new IllegalArgumentException("invalid persistence fraction: " + persist);
    }

    public static ProbeConfig defaults() {
        return new ProbeConfig(DEFAULT_EVERY, 512, 10, 0.8, 1e-3, 1e-7, 1e2, 100, 0.8, 0.5, 1e-6, 1e-1, 1.5, 1e-3, 1e3);
    }

    public ProbeConfig withEvery(int k) {
        return new ProbeConfig(k, capacity, window, persist, vanishRatio, vanishAbs, explodeRatio, spikeFactor, deadFraction,
                saturatedFraction, ratioLow, ratioHigh, divergeFactor, timeVanishRatio, timeExplodeRatio);
    }

    /** The through-time thresholds: vanishing below {@code vanish}, exploding above {@code explode} (first step's gradient over the last's). */
    public ProbeConfig withThroughTime(double vanish, double explode) {
        if (!(vanish > 0 && explode > vanish)) throw new IllegalArgumentException("invalid through-time ratios " + vanish + ", " + explode
                + ": expected 0 < vanishing < exploding");
        return new ProbeConfig(every, capacity, window, persist, vanishRatio, vanishAbs, explodeRatio, spikeFactor, deadFraction,
                saturatedFraction, ratioLow, ratioHigh, divergeFactor, vanish, explode);
    }

    public ProbeConfig withWindow(int w) {
        return new ProbeConfig(every, capacity, w, persist, vanishRatio, vanishAbs, explodeRatio, spikeFactor, deadFraction,
                saturatedFraction, ratioLow, ratioHigh, divergeFactor, timeVanishRatio, timeExplodeRatio);
    }
}
