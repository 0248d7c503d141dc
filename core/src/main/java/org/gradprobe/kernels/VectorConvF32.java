package org.gradprobe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution helpers on the Vector API, float32 only (float64 convolutions take {@link ConvF64}'s
 * loops: their fused multiply-adds here would change float64's bits, and float64 is for checking, not
 * speed): a convolution with a short shared dimension and its weight gradient, and the unfolding of
 * stride-1 unpadded rows. What it cannot vectorize goes to {@link ConvF32}.
 */
final class VectorConvF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorConvF32() {}

    static void shortProduct(int m, int p, int k, float[] w, float[] bias, float[] cols, int colsOff, int ld, float[] y, int yOff) {
        int pv = p / L * L, i = 0;
        // four output rows a turn: each vector of the unfolded block is read once for four multiply-adds
        for (; i + 3 < m; i += 4) {
            int y0 = yOff + i * p, w0 = i * k;
            float b0 = bias == null ? 0f : bias[i], b1 = bias == null ? 0f : bias[i + 1];
            float b2 = bias == null ? 0f : bias[i + 2], b3 = bias == null ? 0f : bias[i + 3];
            for (int j = 0; j < pv; j += L) {
                FloatVector a0 = FloatVector.broadcast(S, b0), a1 = FloatVector.broadcast(S, b1);
                FloatVector a2 = FloatVector.broadcast(S, b2), a3 = FloatVector.broadcast(S, b3);
                for (int r = 0, src = colsOff + j; r < k; r++, src += ld) {
                    FloatVector cv = FloatVector.fromArray(S, cols, src);
                    a0 = cv.fma(FloatVector.broadcast(S, w[w0 + r]), a0);
                    a1 = cv.fma(FloatVector.broadcast(S, w[w0 + k + r]), a1);
                    a2 = cv.fma(FloatVector.broadcast(S, w[w0 + 2 * k + r]), a2);
                    a3 = cv.fma(FloatVector.broadcast(S, w[w0 + 3 * k + r]), a3);
                }
                a0.intoArray(y, y0 + j);
                a1.intoArray(y, y0 + p + j);
                a2.intoArray(y, y0 + 2 * p + j);
                a3.intoArray(y, y0 + 3 * p + j);
            }
        }
        for (; i < m; i++) {
            int y0 = yOff + i * p, w0 = i * k;
            float b0 = bias == null ? 0f : bias[i];
            for (int j = 0; j < pv; j += L) {
                FloatVector a0 = FloatVector.broadcast(S, b0);
                for (int r = 0, src = colsOff + j; r < k; r++, src += ld) {
                    a0 = FloatVector.fromArray(S, cols, src).fma(FloatVector.broadcast(S, w[w0 + r]), a0);
                }
                a0.intoArray(y, y0 + j);
            }
        }
        // the last p mod 8 columns, in the same order (bias, then r up, fused multiply-adds)
        for (i = 0; i < m && pv < p; i++) {
            for (int j = pv; j < p; j++) {
                float a = bias == null ? 0f : bias[i];
                for (int r = 0; r < k; r++) a = Math.fma(cols[colsOff + r * ld + j], w[i * k + r], a);
                y[yOff + i * p + j] = a;
            }
        }
    }

    static void shortWeightGrad(int m, int p, int k, float[] g, int gOff, float[] cols, int colsOff, int ld, float[] gw, int gwOff, float[] gb, int gbOff) {
        int pv = p / L * L;
        for (int i = 0; i < m; i++) {
            int row = gOff + i * p, out = gwOff + i * k, r = 0;
            // four unfolded rows a turn against one row of g: each vector of g is read once for four multiply-adds
            for (; r + 3 < k; r += 4) {
                int s0 = colsOff + r * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int j = 0; j < pv; j += L) {
                    FloatVector gv = FloatVector.fromArray(S, g, row + j);
                    a0 = FloatVector.fromArray(S, cols, s0 + j).fma(gv, a0);
                    a1 = FloatVector.fromArray(S, cols, s1 + j).fma(gv, a1);
                    a2 = FloatVector.fromArray(S, cols, s2 + j).fma(gv, a2);
                    a3 = FloatVector.fromArray(S, cols, s3 + j).fma(gv, a3);
                }
                float t0 = a0.reduceLanes(VectorOperators.ADD), t1 = a1.reduceLanes(VectorOperators.ADD);
                float t2 = a2.reduceLanes(VectorOperators.ADD), t3 = a3.reduceLanes(VectorOperators.ADD);
                for (int j = pv; j < p; j++) {
                    float gj = g[row + j];
                    t0 = Math.fma(cols[s0 + j], gj, t0);
                    t1 = Math.fma(cols[s1 + j], gj, t1);
                    t2 = Math.fma(cols[s2 + j], gj, t2);
                    t3 = Math.fma(cols[s3 + j], gj, t3);
                }
                gw[out + r] = t0;
                gw[out + r + 1] = t1;
                gw[out + r + 2] = t2;
                gw[out + r + 3] = t3;
            }
            for (; r < k; r++) {
                int s0 = colsOff + r * ld;
                FloatVector a0 = FloatVector.zero(S);
                for (int j = 0; j < pv; j += L) a0 = FloatVector.fromArray(S, cols, s0 + j).fma(FloatVector.fromArray(S, g, row + j), a0);
                float t0 = a0.reduceLanes(VectorOperators.ADD);
                for (int j = pv; j < p; j++) t0 = Math.fma(cols[s0 + j], g[row + j], t0);
                gw[out + r] = t0;
            }
            if (gb != null) {
                FloatVector a0 = FloatVector.zero(S);
                for (int j = 0; j < pv; j += L) a0 = a0.add(FloatVector.fromArray(S, g, row + j));
                float t0 = a0.reduceLanes(VectorOperators.ADD);
                for (int j = pv; j < p; j++) t0 += g[row + j];
                gb[gbOff + i] = t0;
            }
        }
    }

    static void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff, int ld) {
        if (stride != 1 || pad != 0 || ow < L) {
            ConvF32.im2col(x, xOff, c, h, w, kh, kw, stride, pad, oh, ow, cols, colsOff, ld);
            return;
        }
        // rows of tens of values: whole vectors, each row's last one spilling into the start of the next
        // row, which is written right after; the last row of a block is copied exactly. Reads stay inside
        // the image (the row after each one read exists).
        int span = roundUp(ow, L);
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * ld, src = xOff + (ch * h + ky) * w + kx;
                    for (int oy = 0; oy < oh - 1; oy++, src += w) {
                        int dst = row + oy * ow;
                        for (int j = 0; j < span; j += L) FloatVector.fromArray(S, x, src + j).intoArray(cols, dst + j);
                    }
                    System.arraycopy(x, src, cols, row + (oh - 1) * ow, ow);
                }
            }
        }
    }

    static void col2im(float[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff) {
        if (stride != 1 || pad != 0 || ow < L) {
            ConvF32.col2im(cols, colsOff, ld, c, h, w, kh, kw, stride, pad, oh, ow, dx, xOff);
            return;
        }
        // whole vectors per row, the lanes past the row's end adding zero (into the same image's next row;
        // the last row of a block, whose spill could reach another image, is added exactly)
        int span = roundUp(ow, L), tail = span - L;
        VectorMask<Float> inside = S.indexInRange(tail, ow);
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * ld, dst = xOff + (ch * h + ky) * w + kx;
                    // even rows, then odd ones: a row's spill reaches into the next row, and a load of it
                    // right after the store would wait for the store (a partly overlapping load is not forwarded)
                    for (int first = 0; first < 2; first++) {
                        for (int oy = first; oy < oh - 1; oy += 2) {
                            int src = row + oy * ow, d = dst + oy * w;
                            for (int j = 0; j < tail; j += L) {
                                FloatVector.fromArray(S, dx, d + j).add(FloatVector.fromArray(S, cols, src + j)).intoArray(dx, d + j);
                            }
                            FloatVector add = FloatVector.zero(S).blend(FloatVector.fromArray(S, cols, src + tail), inside);
                            FloatVector.fromArray(S, dx, d + tail).add(add).intoArray(dx, d + tail);
                        }
                    }
                    dst += (oh - 1) * w;
                    int src = row + (oh - 1) * ow;
                    for (int ox = 0; ox < ow; ox++) dx[dst + ox] += cols[src + ox];
                }
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }
}
