package org.gradprobe.check;

import org.gradprobe.tensor.DType;

/**
 * How a gradient check runs. The float64 defaults are PyTorch's gradcheck (eps 1e-6, atol 1e-5, rtol
 * 1e-3); float32 cannot resolve differences that small, so its defaults are eps 1e-3, atol 1e-2, rtol
 * 1e-2, and reports say so. An entry passes when |analytic − numeric| ≤ atol + rtol·|numeric| + the
 * rounding error of the finite difference itself (8 ulp of the larger function value, divided by eps).
 *
 * @param mode    FULL: every Jacobian entry; SAMPLED: {@code samples} coordinates per tensor; FAST: random directions
 * @param samples coordinates per tensor in sampled mode
 * @param topK    mismatches listed per failing tensor
 */
public record CheckOptions(Mode mode, DType dtype, double eps, double atol, double rtol, int samples, int topK, long seed) {
    public enum Mode { FULL, SAMPLED, FAST }

    public static CheckOptions of(Mode mode, DType dtype, long seed) {
        return dtype == DType.FLOAT64
                ? new CheckOptions(mode, dtype, 1e-6, 1e-5, 1e-3, 16, 5, seed)
                : new CheckOptions(mode, dtype, 1e-3, 1e-2, 1e-2, 16, 5, seed);
    }

}
