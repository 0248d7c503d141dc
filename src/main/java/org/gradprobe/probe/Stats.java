package org.gradprobe.probe;

import org.gradprobe.tensor.Tensor;

/**
 * Statistics of a tensor's values computed in one pass without copying, and mergeable (the merge of
 * the statistics of two tensors equals the statistics of their concatenation), so histories can be
 * downsampled and sketches summed across workers. Finite values feed the moments; zeros, NaNs and
 * Infs are counted, and every value lands in exactly one bin of a fixed log2-magnitude histogram
 * (zero, NaN and Inf have bins of their own, so nothing is dropped).
 */
public final class Stats {
    /** Exponent range of the magnitude bins: |x| in [2^e, 2^(e+1)), e clamped to [MIN_EXP, MAX_EXP]. */
    public static final int MIN_EXP = -48, MAX_EXP = 15;
    /** Bin layout: 0 zero, 1 NaN, 2 Inf, then one bin per exponent from MIN_EXP to MAX_EXP. */
    public static final int ZERO_BIN = 0, NAN_BIN = 1, INF_BIN = 2, FIRST_EXP_BIN = 3;
    public static final int BINS = FIRST_EXP_BIN + MAX_EXP - MIN_EXP + 1;

    long count;          // all values
    long finite;         // finite values (the moments are over these)
    double mean;
    double m2;           // Σ (x − mean)²
    double sumSq;        // Σ x², for the L2 norm
    double maxAbs;
    long zeros, nans, infs;
    final long[] hist = new long[BINS];

    public Stats() {}

    /** The statistics of every element of {@code t}. */
    public static Stats of(Tensor t) {
        Stats s = new Stats();
        if (t.f != null) s.addAll(t.f);
        else s.addAll(t.d);
        return s;
    }

    private void addAll(float[] a) {
        // shifted sums (shift = the first finite value) give the variance in one pass without cancellation
        double shift = Double.NaN, s1 = 0, s2 = 0, sq = 0, mx = maxAbs;
        long fin = 0;
        for (float v : a) {
            if (v == 0f) {
                zeros++;
                hist[ZERO_BIN]++;
            } else if (v != v) {
                nans++;
                hist[NAN_BIN]++;
                continue;
            } else if (Float.isInfinite(v)) {
                infs++;
                hist[INF_BIN]++;
                continue;
            } else {
                hist[bin(Math.getExponent(v))]++;
            }
            if (shift != shift) shift = v;
            double dv = v - shift;
            s1 += dv;
            s2 += dv * dv;
            sq += (double) v * v;
            double av = Math.abs(v);
            if (av > mx) mx = av;
            fin++;
        }
        finishAdd(a.length, fin, shift, s1, s2, sq, mx);
    }

    private void addAll(double[] a) {
        double shift = Double.NaN, s1 = 0, s2 = 0, sq = 0, mx = maxAbs;
        long fin = 0;
        for (double v : a) {
            if (v == 0.0) {
                zeros++;
                hist[ZERO_BIN]++;
            } else if (v != v) {
                nans++;
                hist[NAN_BIN]++;
                continue;
            } else if (Double.isInfinite(v)) {
                infs++;
                hist[INF_BIN]++;
                continue;
            } else {
                hist[bin(Math.getExponent(v))]++;
            }
            if (shift != shift) shift = v;
            double dv = v - shift;
            s1 += dv;
            s2 += dv * dv;
            sq += v * v;
            double av = Math.abs(v);
            if (av > mx) mx = av;
            fin++;
        }
        finishAdd(a.length, fin, shift, s1, s2, sq, mx);
    }

    private void finishAdd(int n, long fin, double shift, double s1, double s2, double sq, double mx) {
        Stats part = new Stats();
        part.finite = fin;
        if (fin > 0) {
            part.mean = shift + s1 / fin;
            part.m2 = Math.max(0, s2 - s1 * s1 / fin);
        }
        part.sumSq = sq;
        mergeMoments(part);
        count += n;
        maxAbs = mx;
    }

    static int bin(int exponent) {
        int e = Math.max(MIN_EXP, Math.min(MAX_EXP, exponent));
        return FIRST_EXP_BIN + e - MIN_EXP;
    }

    /** Chan et al.'s parallel update of (finite, mean, m2) and Σx². */
    private void mergeMoments(Stats o) {
        if (o.finite == 0) return;
        if (finite == 0) {
            finite = o.finite;
            mean = o.mean;
            m2 = o.m2;
            sumSq += o.sumSq;
            return;
        }
        long n = finite + o.finite;
        double delta = o.mean - mean;
        mean += delta * o.finite / n;
        m2 += o.m2 + delta * delta * ((double) finite * o.finite / n);
        finite = n;
        sumSq += o.sumSq;
    }

    /** Adds {@code o} into this (Modified): the result describes both sets of values. */
    public Stats merge(Stats o) {
        mergeMoments(o);
        count += o.count;
        maxAbs = Math.max(maxAbs, o.maxAbs);
        zeros += o.zeros;
        nans += o.nans;
        infs += o.infs;
        for (int i = 0; i < BINS; i++) hist[i] += o.hist[i];
        return this;
    }

    public Stats copy() {
        return new Stats().merge(this);
    }

    public long count() { return count; }
    /** L2 norm of the finite values. */
    public double norm() { return Math.sqrt(sumSq); }
    /** Root mean square of the finite values. */
    public double rms() { return finite == 0 ? 0 : Math.sqrt(sumSq / finite); }
    public double mean() { return mean; }
    /** Population standard deviation of the finite values. */
    public double std() { return finite == 0 ? 0 : Math.sqrt(m2 / finite); }
    public double maxAbs() { return maxAbs; }
    public double zeroFraction() { return count == 0 ? 0 : (double) zeros / count; }
    public long nans() { return nans; }
    public long infs() { return infs; }
    public boolean allFinite() { return nans == 0 && infs == 0; }
    public long[] histogram() { return hist.clone(); }

    /** The label of histogram bin {@code i}: "0", "nan", "inf" or "2^e". */
    public static String binLabel(int i) {
        if (i == ZERO_BIN) return "0";
        if (i == NAN_BIN) return "nan";
        if (i == INF_BIN) return "inf";
        int e = i - FIRST_EXP_BIN + MIN_EXP;
        return (e == MIN_EXP ? "<=" : e == MAX_EXP ? ">=" : "") + "2^" + e;
    }

    /** True when every element of {@code t} is finite; the cheap always-on check. */
    public static boolean allFinite(Tensor t) {
        if (t.f != null) {
            float acc = 0;
            for (float v : t.f) acc += v * 0f;      // NaN·0 and Inf·0 are NaN; finite·0 is 0
            return acc == 0f;
        }
        double acc = 0;
        for (double v : t.d) acc += v * 0.0;
        return acc == 0.0;
    }
}
