package org.gradprobe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

// @generate-float64
/**
 * Elementwise kernels on the Vector API, float32: relu's backward, the finite check and the running
 * maximum, each as {@link ElementwiseF32}'s loop computes it.
 */
final class VectorElementwiseF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorElementwiseF32() {}

    static void reluBackward(float[] x, float[] g, int from, int to, float[] out, int outFrom) {
        // the scalar select does not vectorize (C2 emits a branch that mispredicts on real activations)
        FloatVector zero = FloatVector.zero(S);
        int i = from, o = outFrom;
        for (; i + L <= to; i += L, o += L) {
            FloatVector xv = FloatVector.fromArray(S, x, i);
            zero.blend(FloatVector.fromArray(S, g, i), xv.compare(VectorOperators.GT, 0f)).intoArray(out, o);
        }
        for (; i < to; i++, o++) out[o] = x[i] > 0 ? g[i] : 0f;
    }

    static boolean allFinite(float[] a, int from, int to) {
        // NaN·0 and Inf·0 are NaN, finite·0 is 0: four vector sums of v·0
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int i = from;
        for (; i + 4 * L <= to; i += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(S, a, i).mul(0f));
            s1 = s1.add(FloatVector.fromArray(S, a, i + L).mul(0f));
            s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * L).mul(0f));
            s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * L).mul(0f));
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) s += a[i] * 0f;
        return s == 0f;
    }

    static void maxInto(float[] acc, int accOff, float[] a, int aOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) FloatVector.fromArray(S, acc, accOff + i).max(FloatVector.fromArray(S, a, aOff + i)).intoArray(acc, accOff + i);
        for (; i < n; i++) acc[accOff + i] = Math.max(acc[accOff + i], a[aOff + i]);
    }
}
