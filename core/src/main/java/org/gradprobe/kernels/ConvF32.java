package org.gradprobe.kernels;

import java.util.Arrays;

// @generate-float64
/**
 * The convolution helpers in plain loops, float32: unfolding an image into columns (im2col) and back
 * (col2im), a convolution with a short shared dimension written in the output's layout and its weight
 * gradient, and max pooling. {@link VectorConvF32} speeds up some of them for float32.
 */
final class ConvF32 {
    private ConvF32() {}

    static void shortProduct(int m, int p, int k, float[] w, float[] bias, float[] cols, int colsOff, int ld, float[] y, int yOff) {
        for (int i = 0; i < m; i++) {
            int row = yOff + i * p;
            Arrays.fill(y, row, row + p, bias == null ? 0f : bias[i]);
            for (int r = 0; r < k; r++) {
                float wv = w[i * k + r];
                int src = colsOff + r * ld;
                for (int j = 0; j < p; j++) y[row + j] += wv * cols[src + j];
            }
        }
    }

    static void shortWeightGrad(int m, int p, int k, float[] g, int gOff, float[] cols, int colsOff, int ld, float[] gw, int gwOff, float[] gb, int gbOff) {
        for (int i = 0; i < m; i++) {
            int row = gOff + i * p;
            for (int r = 0; r < k; r++) {
                int src = colsOff + r * ld;
                float s = 0f;
                for (int j = 0; j < p; j++) s += g[row + j] * cols[src + j];
                gw[gwOff + i * k + r] = s;
            }
            if (gb != null) {
                float s = 0f;
                for (int j = 0; j < p; j++) s += g[row + j];
                gb[gbOff + i] = s;
            }
        }
    }

    static void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff, int ld) {
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * ld;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(cols, dst, dst + ow, 0f);
                            continue;
                        }
                        // ox in [lo, hi) reads inside the row (ix = ox·stride + shift); the rest is padding
                        int src = xOff + (ch * h + iy) * w, shift = kx - pad;
                        int lo = firstInside(shift, stride, ow), hi = endInside(shift, stride, w, ow);
                        Arrays.fill(cols, dst, dst + lo, 0f);
                        if (stride != 1) for (int ox = lo; ox < hi; ox++) cols[dst + ox] = x[src + ox * stride + shift];
                        else if (hi > lo) System.arraycopy(x, src + lo + shift, cols, dst + lo, hi - lo);
                        Arrays.fill(cols, dst + Math.max(lo, hi), dst + ow, 0f);
                    }
                }
            }
        }
    }

    /** The first ox in [0, ow] with ox·stride + shift ≥ 0. */
    static int firstInside(int shift, int stride, int ow) {
        return shift >= 0 ? 0 : Math.min(ow, (-shift + stride - 1) / stride);
    }

    /** One past the last ox in [0, ow) with ox·stride + shift < w (at most ow, possibly below firstInside). */
    static int endInside(int shift, int stride, int w, int ow) {
        int last = w - 1 - shift;    // the largest ox·stride allowed
        return last < 0 ? 0 : Math.min(ow, last / stride + 1);
    }

    static void col2im(float[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff) {
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * ld;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xOff + (ch * h + iy) * w;
                        int src = row + oy * ow, shift = kx - pad;
                        int lo = firstInside(shift, stride, ow), hi = endInside(shift, stride, w, ow);
                        if (stride == 1) for (int ox = lo; ox < hi; ox++) dx[dst + ox + shift] += cols[src + ox];
                        else for (int ox = lo; ox < hi; ox++) dx[dst + ox * stride + shift] += cols[src + ox];
                    }
                }
            }
        }
    }

    static void maxPool2d(float[] x, int planes, int h, int w, int k, int stride, int oh, int ow, float[] out, int[] argmax) {
        // planes are independent; below a few thousand windows one thread is quicker
        if ((long) planes * oh * ow < 4096) maxPoolPlanes(x, 0, planes, h, w, k, stride, oh, ow, out, argmax);
        else Parallel.forChunks(planes, (chunk, from, to) -> maxPoolPlanes(x, from, to, h, w, k, stride, oh, ow, out, argmax));
    }

    private static void maxPoolPlanes(float[] x, int from, int to, int h, int w, int k, int stride, int oh, int ow, float[] out, int[] argmax) {
        if (k == 2 && stride == 2) {
            maxPool2x2(x, from, to, h, w, oh, ow, out, argmax);
            return;
        }
        for (int p = from; p < to; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = base + oy * stride * w + ox * stride;
                    float bv = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int rowIdx = base + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            float v = x[rowIdx + kx];
                            // v wins when it is larger, or NaN over a number (!(v <= bv) is both); a NaN max is kept
                            if (!(v <= bv) && bv == bv) {
                                bv = v;
                                best = rowIdx + kx;
                            }
                        }
                    }
                    int o = (p * oh + oy) * ow + ox;
                    out[o] = bv;
                    argmax[o] = best;
                }
            }
        }
    }

    /** The first NaN of a 2×2 window (PyTorch's max pooling propagates the first NaN). */
    private static int firstNaN(float[] x, int i0, int i2) {
        return x[i0] != x[i0] ? i0 : x[i0 + 1] != x[i0 + 1] ? i0 + 1 : x[i2] != x[i2] ? i2 : i2 + 1;
    }

    /** The common 2×2, stride-2 window written out (same order and tie rule as the general loop). */
    private static void maxPool2x2(float[] x, int from, int to, int h, int w, int oh, int ow, float[] out, int[] argmax) {
        for (int p = from; p < to; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = p * h * w + 2 * oy * w, r1 = r0 + w, o = (p * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++) {
                    // Which of the four wins is data-dependent, so branches would mispredict half the time
                    // (5x slower): the maximum by Math.max, and its first position from 0/1 flags.
                    int i0 = r0 + 2 * ox, i2 = r1 + 2 * ox;
                    float a = x[i0], b = x[i0 + 1], c = x[i2], d = x[i2 + 1];
                    float m = Math.max(Math.max(a, b), Math.max(c, d));
                    int na = a == m ? 0 : 1, nb = na & (b == m ? 0 : 1), nc = nb & (c == m ? 0 : 1);
                    int best = m == m ? i0 + na + nb * (i2 - i0 - 1) + nc : firstNaN(x, i0, i2);
                    out[o + ox] = x[best];    // x[best], not m: keeps the sign of a winning −0 as PyTorch does
                    argmax[o + ox] = best;
                }
            }
        }
    }
}
