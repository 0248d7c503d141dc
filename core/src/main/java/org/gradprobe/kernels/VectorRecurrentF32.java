package org.gradprobe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The recurrent step kernels of {@link RecurrentF32} on the Vector API, float32 only (float64 keeps the
 * generated plain loops, bit for bit). The plain loops compute every sigmoid and tanh in double through
 * {@link Math#exp} and {@link Math#tanh} (the latter a native call in Java 17), about three quarters of an
 * LSTM's training step at batch 32 and 128 units; here they are the Vector API's lanewise EXP and TANH in
 * float (SVML intrinsics on x86), within a few float32 ulps of the double-rounded values. The arithmetic
 * around them is the plain loops', operation for operation (the GRU's backward, which has no activation to
 * compute, gives the plain loop's bits). Rows whose length is not a multiple of the
 * vector length finish in the plain loops' scalar code.
 */
final class VectorRecurrentF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorRecurrentF32() {}

    /** 1 / (1 + e^−x): a large negative x gives e^−x = ∞ and 0, as the scalar sigmoid. */
    private static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    private static FloatVector tanh(FloatVector x) {
        return x.lanewise(VectorOperators.TANH);
    }

    static void rnnForward(float[] pre, int off, int len, boolean relu) {
        if (relu) {
            RecurrentF32.rnnForward(pre, off, len, true);
            return;
        }
        int i = off, end = off + len;
        for (; i + L <= end; i += L) tanh(FloatVector.fromArray(S, pre, i)).intoArray(pre, i);
        for (; i < end; i++) pre[i] = RecurrentF32.tanh(pre[i]);
    }

    static void lstmForward(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] hs, int hOff, int n, int h) {
        int vh = h - h % L;
        for (int b = 0; b < n; b++) {
            int g0 = gOff + b * 4 * h, s = b * h;
            for (int j = 0; j < vh; j += L) {
                FloatVector ig = sigmoid(FloatVector.fromArray(S, gates, g0 + j));
                FloatVector fg = sigmoid(FloatVector.fromArray(S, gates, g0 + h + j));
                FloatVector gg = tanh(FloatVector.fromArray(S, gates, g0 + 2 * h + j));
                FloatVector og = sigmoid(FloatVector.fromArray(S, gates, g0 + 3 * h + j));
                ig.intoArray(gates, g0 + j);
                fg.intoArray(gates, g0 + h + j);
                gg.intoArray(gates, g0 + 2 * h + j);
                og.intoArray(gates, g0 + 3 * h + j);
                FloatVector c = fg.mul(FloatVector.fromArray(S, cs, cPrevOff + s + j)).add(ig.mul(gg));
                c.intoArray(cs, cOff + s + j);
                og.mul(tanh(c)).intoArray(hs, hOff + s + j);
            }
            RecurrentF32.lstmForwardUnits(gates, gOff, cs, cPrevOff, cOff, hs, hOff, b, h, vh, h);
        }
    }

    static void lstmBackward(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] dh, float[] dc,
                             float[] dPre, int dOff, int n, int h) {
        int vh = h - h % L;
        for (int b = 0; b < n; b++) {
            int g0 = gOff + b * 4 * h, d0 = dOff + b * 4 * h, s = b * h;
            for (int j = 0; j < vh; j += L) {
                FloatVector ig = FloatVector.fromArray(S, gates, g0 + j), fg = FloatVector.fromArray(S, gates, g0 + h + j);
                FloatVector gg = FloatVector.fromArray(S, gates, g0 + 2 * h + j), og = FloatVector.fromArray(S, gates, g0 + 3 * h + j);
                FloatVector one = FloatVector.broadcast(S, 1f);
                FloatVector tc = tanh(FloatVector.fromArray(S, cs, cOff + s + j));
                FloatVector dhj = FloatVector.fromArray(S, dh, s + j);
                FloatVector dcj = FloatVector.fromArray(S, dc, s + j).add(dhj.mul(og).mul(one.sub(tc.mul(tc))));
                dcj.mul(gg).mul(ig).mul(one.sub(ig)).intoArray(dPre, d0 + j);
                dcj.mul(FloatVector.fromArray(S, cs, cPrevOff + s + j)).mul(fg).mul(one.sub(fg)).intoArray(dPre, d0 + h + j);
                dcj.mul(ig).mul(one.sub(gg.mul(gg))).intoArray(dPre, d0 + 2 * h + j);
                dhj.mul(tc).mul(og).mul(one.sub(og)).intoArray(dPre, d0 + 3 * h + j);
                dcj.mul(fg).intoArray(dc, s + j);
            }
            RecurrentF32.lstmBackwardUnits(gates, gOff, cs, cPrevOff, cOff, dh, dc, dPre, dOff, b, h, vh, h);
        }
    }

    static void gruForward(float[] xi, int xOff, float[] hh, float[] hn, int hnOff, float[] hs, int hPrevOff, int hOff, int n, int h) {
        int vh = h - h % L;
        for (int b = 0; b < n; b++) {
            int x0 = xOff + b * 3 * h, h0 = b * 3 * h, s = b * h;
            for (int j = 0; j < vh; j += L) {
                FloatVector r = sigmoid(FloatVector.fromArray(S, xi, x0 + j).add(FloatVector.fromArray(S, hh, h0 + j)));
                FloatVector z = sigmoid(FloatVector.fromArray(S, xi, x0 + h + j).add(FloatVector.fromArray(S, hh, h0 + h + j)));
                FloatVector hnj = FloatVector.fromArray(S, hh, h0 + 2 * h + j);
                FloatVector nn = tanh(FloatVector.fromArray(S, xi, x0 + 2 * h + j).add(r.mul(hnj)));
                r.intoArray(xi, x0 + j);
                z.intoArray(xi, x0 + h + j);
                nn.intoArray(xi, x0 + 2 * h + j);
                hnj.intoArray(hn, hnOff + s + j);
                FloatVector.broadcast(S, 1f).sub(z).mul(nn).add(z.mul(FloatVector.fromArray(S, hs, hPrevOff + s + j))).intoArray(hs, hOff + s + j);
            }
            RecurrentF32.gruForwardUnits(xi, xOff, hh, hn, hnOff, hs, hPrevOff, hOff, b, h, vh, h);
        }
    }

    static void gruBackward(float[] act, int aOff, float[] hn, int hnOff, float[] hs, int hPrevOff, float[] dh,
                            float[] dXi, float[] dHh, int dOff, float[] carry, int n, int h) {
        int vh = h - h % L;
        for (int b = 0; b < n; b++) {
            int a0 = aOff + b * 3 * h, d0 = dOff + b * 3 * h, s = b * h;
            for (int j = 0; j < vh; j += L) {
                FloatVector one = FloatVector.broadcast(S, 1f);
                FloatVector r = FloatVector.fromArray(S, act, a0 + j), z = FloatVector.fromArray(S, act, a0 + h + j);
                FloatVector nn = FloatVector.fromArray(S, act, a0 + 2 * h + j);
                FloatVector dhj = FloatVector.fromArray(S, dh, s + j);
                FloatVector dnPre = dhj.mul(one.sub(z)).mul(one.sub(nn.mul(nn)));
                FloatVector dzPre = dhj.mul(FloatVector.fromArray(S, hs, hPrevOff + s + j).sub(nn)).mul(z).mul(one.sub(z));
                FloatVector drPre = dnPre.mul(FloatVector.fromArray(S, hn, hnOff + s + j)).mul(r).mul(one.sub(r));
                drPre.intoArray(dXi, d0 + j);
                dzPre.intoArray(dXi, d0 + h + j);
                dnPre.intoArray(dXi, d0 + 2 * h + j);
                drPre.intoArray(dHh, d0 + j);
                dzPre.intoArray(dHh, d0 + h + j);
                dnPre.mul(r).intoArray(dHh, d0 + 2 * h + j);
                dhj.mul(z).intoArray(carry, s + j);
            }
            RecurrentF32.gruBackwardUnits(act, aOff, hn, hnOff, hs, hPrevOff, dh, dXi, dHh, dOff, carry, b, h, vh, h);
        }
    }
}
