package org.gradprobe.check;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of checking the gradient with respect to one tensor: how many entries were compared,
 * how many were skipped at kinks, the worst errors, and the worst mismatches (index, analytic,
 * numeric, absolute and relative error).
 */
public record TensorCheck(String name, int[] shape, int compared, int kinks, double maxAbsErr, double maxRelErr,
                          List<Mismatch> mismatches, boolean passed) {

    /** One disagreeing entry; {@code index} is the flat index in the tensor (for FAST mode, -1: a direction). */
    public record Mismatch(int index, String position, double analytic, double numeric) {
        public double absErr() { return Math.abs(analytic - numeric); }
        public double relErr() { return absErr() / Math.max(Math.abs(numeric), 1e-300); }
    }

    /** One summary line. */
    public String line() {
        return String.format(Locale.ROOT, "%-4s %-28s compared %6d, kinks skipped %4d, max abs err %.2e, max rel err %.2e",
                passed ? "ok" : "FAIL", name, compared, kinks, maxAbsErr, maxRelErr);
    }
}
