package org.gradprobe.kernels;

import java.util.Arrays;

/**
 * What one statistics pass over a range of values found ({@link Kernels#summarize}): how many values
 * fall at each binary exponent, by sign; how many are zero and how many NaN or Inf; the shifted sums
 * Σ(v − shift) and Σ(v − shift)² over the finite values, max |v|; and, when asked, the moments of relu's
 * output max(v, 0). NaN and Inf make the sums meaningless: the caller sees them in {@link #nonFinite()}
 * and recomputes without them. A pass adds to what is here; {@link #clear()} starts over.
 *
 * <p>Counts are kept by float32 exponent for both element types (the kernels count a float by its
 * exponent bits directly, one array index a value): a float64 value beyond float32's exponent range is
 * counted at its end, a subnormal at {@link #MIN_EXPONENT}. The probe's histogram is far inside it.
 */
public final class Summary {
    /** Lowest exponent counted apart (float32 subnormals, and smaller float64 values), and the highest. */
    public static final int MIN_EXPONENT = Float.MIN_EXPONENT - 1, MAX_EXPONENT = Float.MAX_EXPONENT;
    /** Count slots: sign bit × 256 + float32 biased exponent (0: subnormal, 255: NaN or Inf), and 512 for zeros. */
    static final int SLOTS = 513, ZERO_SLOT = 512, SPECIAL = 0xFF;

    final long[] counts = new long[SLOTS];
    /** Σ(v − shift), Σ(v − shift)², max |v| over the finite values; relu's Σ, Σ², max. */
    double sum, sumSquares, maxAbs, reluSum, reluSumSquares, reluMax;

    public void clear() {
        Arrays.fill(counts, 0);
        sum = sumSquares = maxAbs = reluSum = reluSumSquares = reluMax = 0;
    }

    public long zeros() { return counts[ZERO_SLOT]; }

    /** NaN and ±Inf together. */
    public long nonFinite() { return counts[SPECIAL] + counts[0x100 + SPECIAL]; }

    /** Non-zero finite values with exponent e (as {@link Math#getExponent}, clamped into [MIN_EXPONENT, MAX_EXPONENT]). */
    public long count(int e) {
        return positiveCount(e) + counts[0x100 + e - MIN_EXPONENT];
    }

    /** Positive finite values with exponent e. */
    public long positiveCount(int e) {
        return counts[e - MIN_EXPONENT];
    }

    /** Σ(v − shift) over the finite values. */
    public double sum() { return sum; }

    /** Σ(v − shift)² over the finite values. */
    public double sumSquares() { return sumSquares; }

    public double maxAbs() { return maxAbs; }

    /** Σ max(v, 0), unshifted (only when the pass was asked for relu's moments). */
    public double reluSum() { return reluSum; }

    public double reluSumSquares() { return reluSumSquares; }

    public double reluMax() { return reluMax; }

    /** The count slot of v: sign and biased exponent, or {@link #ZERO_SLOT} for a zero of either sign. */
    static int slot(float v) {
        int b = Float.floatToRawIntBits(v);
        return (b & 0x7FFFFFFF) == 0 ? ZERO_SLOT : b >>> 23;
    }

    /** The same for a float64 value, its exponent clamped into float32's range. */
    static int slot(double v) {
        long b = Double.doubleToRawLongBits(v);
        if ((b & 0x7FFFFFFFFFFFFFFFL) == 0) return ZERO_SLOT;
        int sign = (int) (b >>> 63) << 8, e = (int) (b >>> 52) & 0x7FF;
        if (e == 0x7FF) return sign | SPECIAL;
        return sign | Math.max(0, Math.min(SPECIAL - 1, e - 1023 + 127));
    }
}
