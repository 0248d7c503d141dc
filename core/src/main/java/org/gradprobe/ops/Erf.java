package org.gradprobe.ops;

/**
 * erf and the normal CDF to full double precision (java.lang.Math has neither). Near zero a series
 * with only positive terms (no cancellation); in the tails erfc by its continued fraction, so that
 * Φ(x) keeps its relative precision for large negative x.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private Erf() {}

    /** erf(x) = 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), for |x| ≤ 2.5. */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** erfc(x) for x ≥ 2.5 by the continued fraction e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
    private static double erfcContinuedFraction(double x) {
        // modified Lentz on b0 + a1/(b1 + a2/(b2 + ...)) with b_i = x, a_i = i/2
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0.0;
        for (int i = 1; i < 500; i++) {
            double a = i * 0.5;
            d = x + a * d;
            if (d == 0) d = tiny;
            c = x + a / c;
            if (c == 0) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x >= 2.5) return erfcContinuedFraction(x);
        if (x <= -2.5) return 2.0 - erfcContinuedFraction(-x);
        return 1.0 - erfSeries(x);
    }

    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        if (Math.abs(x) <= 2.5) return erfSeries(x);
        return x > 0 ? 1.0 - erfcContinuedFraction(x) : erfcContinuedFraction(-x) - 1.0;
    }

    /** Φ(x) = ½·erfc(−x/√2). */
    static double normalCdf(double x) {
        return 0.5 * erfc(-x * INV_SQRT_2);
    }

    static double normalPdf(double x) {
        return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }
}
