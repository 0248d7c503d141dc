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

    /** Uniform on [-a, a). */
    public static double uniform(SplittableRandom rng, double a) {
        return (rng.nextDouble() * 2.0 - 1.0) * a;
    }
}
