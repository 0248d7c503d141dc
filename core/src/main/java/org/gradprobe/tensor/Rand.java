package org.gradprobe.tensor;

import java.util.SplittableRandom;

/** Seeded random numbers used by initializers, dropout and shuffling. */
public final class Rand {
    private Rand() {}

    /** A standard normal draw (Box–Muller; one value per call keeps the stream simple to reason about). */
    public static double gaussian(SplittableRandom rng) {
        double u1;
        do {
            u1 = rng.nextDouble();
        } while (u1 <= 0.0);
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /**
     * A generator for one purpose of a run: the same seed gives independent streams for weights,
     * shuffling and dropout instead of one stream used twice.
     */
    public static SplittableRandom stream(long seed, String purpose) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + purpose.hashCode());
    }

    /** Uniform on [-a, a). */
    public static double uniform(SplittableRandom rng, double a) {
        return (rng.nextDouble() * 2.0 - 1.0) * a;
    }
}
