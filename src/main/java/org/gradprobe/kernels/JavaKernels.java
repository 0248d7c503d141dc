package org.gradprobe.kernels;

import java.util.Arrays;

/**
 * Plain-Java kernels: loop orders chosen so the innermost loop runs over contiguous memory. The
 * fallback when the Vector API module is not present, and the base of {@link VectorKernels}.
 */
class JavaKernels implements Kernels {
    static final JavaKernels INSTANCE = new JavaKernels();

    JavaKernels() {}

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0f);
        if (!transB) {
            // op(A) element (i, p) sits at aOff + i·strideI + p·strideP
            int strideI = transA ? 1 : k, strideP = transA ? m : 1;
            if ((long) m * n * k < Parallel.MIN_MULTIPLY_ADDS || Parallel.threadsFor(m) == 1) {
                rowUpdate(m, n, k, a, aOff, strideI, strideP, b, bOff, c, cOff);
            } else {
                // rows of C are independent: split them over the cores
                Parallel.forChunks(m, (chunk, from, to) ->
                        rowUpdate(to - from, n, k, a, aOff + from * strideI, strideI, strideP, b, bOff, c, cOff + from * n));
            }
        } else {
            if (!transA && m <= 8) {
                // few rows (a linear layer's small batch): dot products, four accumulators for instruction-level parallelism
                for (int i = 0; i < m; i++) {
                    int ai = aOff + i * k;
                    for (int j = 0; j < n; j++) {
                        int bj = bOff + j * k;
                        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                        int p = 0;
                        for (; p + 3 < k; p += 4) {
                            s0 += a[ai + p] * b[bj + p];
                            s1 += a[ai + p + 1] * b[bj + p + 1];
                            s2 += a[ai + p + 2] * b[bj + p + 2];
                            s3 += a[ai + p + 3] * b[bj + p + 3];
                        }
                        for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
                        c[cOff + i * n + j] += (s0 + s1) + (s2 + s3);
                    }
                }
                return;
            }
            // A·Bᵀ (and Aᵀ·Bᵀ): transpose B once (O(nk)) so the O(mnk) loop runs over contiguous rows
            float[] bt = new float[k * n];
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) bt[p * n + j] = b[bOff + j * k + p];
            gemm(transA, false, m, n, k, a, aOff, bt, 0, c, cOff, true);
        }
    }

    /**
     * C[i,:] += Σ_p A(i,p)·B[p,:], four p at a time so each pass over a row of C does four
     * multiply-adds per load and store; the inner loop runs over contiguous memory and vectorizes.
     */
    private static void rowUpdate(int m, int n, int k, float[] a, int aOff, int strideI, int strideP, float[] b, int bOff, float[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n, ai = aOff + i * strideI;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                float a0 = a[ai + p * strideP], a1 = a[ai + (p + 1) * strideP], a2 = a[ai + (p + 2) * strideP], a3 = a[ai + (p + 3) * strideP];
                int b0 = bOff + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
                for (int j = 0; j < n; j++) c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
            }
            for (; p < k; p++) {
                float ap = a[ai + p * strideP];
                int bp = bOff + p * n;
                for (int j = 0; j < n; j++) c[ci + j] += ap * b[bp + j];
            }
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0.0);
        if (!transB) {
            // op(A) element (i, p) sits at aOff + i·strideI + p·strideP
            int strideI = transA ? 1 : k, strideP = transA ? m : 1;
            if ((long) m * n * k < Parallel.MIN_MULTIPLY_ADDS || Parallel.threadsFor(m) == 1) {
                rowUpdate(m, n, k, a, aOff, strideI, strideP, b, bOff, c, cOff);
            } else {
                // rows of C are independent: split them over the cores
                Parallel.forChunks(m, (chunk, from, to) ->
                        rowUpdate(to - from, n, k, a, aOff + from * strideI, strideI, strideP, b, bOff, c, cOff + from * n));
            }
        } else {
            if (!transA && m <= 8) {
                // few rows (a linear layer's small batch): dot products, four accumulators for instruction-level parallelism
                for (int i = 0; i < m; i++) {
                    int ai = aOff + i * k;
                    for (int j = 0; j < n; j++) {
                        int bj = bOff + j * k;
                        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                        int p = 0;
                        for (; p + 3 < k; p += 4) {
                            s0 += a[ai + p] * b[bj + p];
                            s1 += a[ai + p + 1] * b[bj + p + 1];
                            s2 += a[ai + p + 2] * b[bj + p + 2];
                            s3 += a[ai + p + 3] * b[bj + p + 3];
                        }
                        for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
                        c[cOff + i * n + j] += (s0 + s1) + (s2 + s3);
                    }
                }
                return;
            }
            // A·Bᵀ (and Aᵀ·Bᵀ): transpose B once (O(nk)) so the O(mnk) loop runs over contiguous rows
            double[] bt = new double[k * n];
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) bt[p * n + j] = b[bOff + j * k + p];
            gemm(transA, false, m, n, k, a, aOff, bt, 0, c, cOff, true);
        }
    }

    /**
     * C[i,:] += Σ_p A(i,p)·B[p,:], four p at a time so each pass over a row of C does four
     * multiply-adds per load and store; the inner loop runs over contiguous memory and vectorizes.
     */
    private static void rowUpdate(int m, int n, int k, double[] a, int aOff, int strideI, int strideP, double[] b, int bOff, double[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n, ai = aOff + i * strideI;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                double a0 = a[ai + p * strideP], a1 = a[ai + (p + 1) * strideP], a2 = a[ai + (p + 2) * strideP], a3 = a[ai + (p + 3) * strideP];
                int b0 = bOff + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
                for (int j = 0; j < n; j++) c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
            }
            for (; p < k; p++) {
                double ap = a[ai + p * strideP];
                int bp = bOff + p * n;
                for (int j = 0; j < n; j++) c[ci + j] += ap * b[bp + j];
            }
        }
    }

    @Override
    public void shortProduct(int m, int p, int k, float[] w, float[] bias, float[] cols, int colsOff, int ld, float[] y, int yOff) {
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

    @Override
    public void shortProduct(int m, int p, int k, double[] w, double[] bias, double[] cols, int colsOff, int ld, double[] y, int yOff) {
        for (int i = 0; i < m; i++) {
            int row = yOff + i * p;
            Arrays.fill(y, row, row + p, bias == null ? 0.0 : bias[i]);
            for (int r = 0; r < k; r++) {
                double wv = w[i * k + r];
                int src = colsOff + r * ld;
                for (int j = 0; j < p; j++) y[row + j] += wv * cols[src + j];
            }
        }
    }

    @Override
    public void shortWeightGrad(int m, int p, int k, float[] g, int gOff, float[] cols, int colsOff, int ld, float[] gw, int gwOff, float[] gb, int gbOff) {
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

    @Override
    public void shortWeightGrad(int m, int p, int k, double[] g, int gOff, double[] cols, int colsOff, int ld, double[] gw, int gwOff, double[] gb, int gbOff) {
        for (int i = 0; i < m; i++) {
            int row = gOff + i * p;
            for (int r = 0; r < k; r++) {
                int src = colsOff + r * ld;
                double s = 0.0;
                for (int j = 0; j < p; j++) s += g[row + j] * cols[src + j];
                gw[gwOff + i * k + r] = s;
            }
            if (gb != null) {
                double s = 0.0;
                for (int j = 0; j < p; j++) s += g[row + j];
                gb[gbOff + i] = s;
            }
        }
    }

    @Override
    public void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff, int ld) {
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

    @Override
    public void im2col(double[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] cols, int colsOff, int ld) {
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * ld;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(cols, dst, dst + ow, 0.0);
                            continue;
                        }
                        // ox in [lo, hi) reads inside the row (ix = ox·stride + shift); the rest is padding
                        int src = xOff + (ch * h + iy) * w, shift = kx - pad;
                        int lo = firstInside(shift, stride, ow), hi = endInside(shift, stride, w, ow);
                        Arrays.fill(cols, dst, dst + lo, 0.0);
                        if (stride != 1) for (int ox = lo; ox < hi; ox++) cols[dst + ox] = x[src + ox * stride + shift];
                        else if (hi > lo) System.arraycopy(x, src + lo + shift, cols, dst + lo, hi - lo);
                        Arrays.fill(cols, dst + Math.max(lo, hi), dst + ow, 0.0);
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

    @Override
    public void col2im(float[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff) {
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

    @Override
    public void col2im(double[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] dx, int xOff) {
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

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int k, int stride, int oh, int ow, float[] out, int[] argmax) {
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

    private static int firstNaN(double[] x, int i0, int i2) {
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

    @Override
    public void maxPool2d(double[] x, int planes, int h, int w, int k, int stride, int oh, int ow, double[] out, int[] argmax) {
        // planes are independent; below a few thousand windows one thread is quicker
        if ((long) planes * oh * ow < 4096) maxPoolPlanes(x, 0, planes, h, w, k, stride, oh, ow, out, argmax);
        else Parallel.forChunks(planes, (chunk, from, to) -> maxPoolPlanes(x, from, to, h, w, k, stride, oh, ow, out, argmax));
    }

    private static void maxPoolPlanes(double[] x, int from, int to, int h, int w, int k, int stride, int oh, int ow, double[] out, int[] argmax) {
        if (k == 2 && stride == 2) {
            maxPool2x2(x, from, to, h, w, oh, ow, out, argmax);
            return;
        }
        for (int p = from; p < to; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = base + oy * stride * w + ox * stride;
                    double bv = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int rowIdx = base + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            double v = x[rowIdx + kx];
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

    /** The common 2×2, stride-2 window written out (same order and tie rule as the general loop). */
    private static void maxPool2x2(double[] x, int from, int to, int h, int w, int oh, int ow, double[] out, int[] argmax) {
        for (int p = from; p < to; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = p * h * w + 2 * oy * w, r1 = r0 + w, o = (p * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++) {
                    // Which of the four wins is data-dependent, so branches would mispredict half the time
                    // (5x slower): the maximum by Math.max, and its first position from 0/1 flags.
                    int i0 = r0 + 2 * ox, i2 = r1 + 2 * ox;
                    double a = x[i0], b = x[i0 + 1], c = x[i2], d = x[i2 + 1];
                    double m = Math.max(Math.max(a, b), Math.max(c, d));
                    int na = a == m ? 0 : 1, nb = na & (b == m ? 0 : 1), nc = nb & (c == m ? 0 : 1);
                    int best = m == m ? i0 + na + nb * (i2 - i0 - 1) + nc : firstNaN(x, i0, i2);
                    out[o + ox] = x[best];    // x[best], not m: keeps the sign of a winning −0 as PyTorch does
                    argmax[o + ox] = best;
                }
            }
        }
    }

    private static final ThreadLocal<int[][]> COUNTS = ThreadLocal.withInitial(() -> new int[4][SUMMARY_SLOTS]);

    @Override
    public void summarize(float[] a, int from, int to, float shift, boolean positives, long[] byExp, double[] sums) {
        // four interleaved count arrays, so that runs of values in the same bin do not wait on each other;
        // one set per thread, cleared for each range
        int[][] c = COUNTS.get();
        int[] c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
        for (int[] ci : c) Arrays.fill(ci, 0);
        double s10 = 0, s11 = 0, s12 = 0, s13 = 0, s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        double sh = shift;    // differences in double: a float subtraction would round them
        int i = from;
        for (; i + 3 < to; i += 4) {
            float v0 = a[i], v1 = a[i + 1], v2 = a[i + 2], v3 = a[i + 3];
            c0[slot(v0)]++;
            c1[slot(v1)]++;
            c2[slot(v2)]++;
            c3[slot(v3)]++;
            double d0 = v0 - sh, d1 = v1 - sh, d2 = v2 - sh, d3 = v3 - sh;
            s10 += d0;
            s11 += d1;
            s12 += d2;
            s13 += d3;
            s20 += d0 * d0;
            s21 += d1 * d1;
            s22 += d2 * d2;
            s23 += d3 * d3;
            // plain compares: Math.max(float) spends branches on NaN and −0 semantics not needed here
            float a0 = Math.abs(v0), a1 = Math.abs(v1), a2 = Math.abs(v2), a3 = Math.abs(v3);
            m0 = a0 > m0 ? a0 : m0;
            m1 = a1 > m1 ? a1 : m1;
            m2 = a2 > m2 ? a2 : m2;
            m3 = a3 > m3 ? a3 : m3;
        }
        for (; i < to; i++) {
            float v = a[i];
            c0[slot(v)]++;
            double d = v - sh;
            s10 += d;
            s20 += d * d;
            float av = Math.abs(v);
            m0 = av > m0 ? av : m0;
        }
        for (int k = 0; k < SUMMARY_SLOTS; k++) byExp[k] += (long) c0[k] + c1[k] + c2[k] + c3[k];
        sums[0] += (s10 + s11) + (s12 + s13);
        sums[1] += (s20 + s21) + (s22 + s23);
        sums[2] = Math.max(sums[2], Math.max(Math.max(m0, m1), Math.max(m2, m3)));
        if (positives) {
            double p1 = 0, p2 = 0;
            float pm = 0;
            for (int k = from; k < to; k++) {
                float v = a[k];
                if (v > 0) {
                    p1 += v;
                    p2 += (double) v * v;
                    pm = v > pm ? v : pm;
                }
            }
            sums[3] += p1;
            sums[4] += p2;
            sums[5] = Math.max(sums[5], pm);
        }
    }

    /** {@link #summarize}'s count slot of v: sign bit and biased exponent, or 512 for a zero of either sign. */
    static int slot(float v) {
        int b = Float.floatToRawIntBits(v);
        return (b & 0x7FFFFFFF) == 0 ? 512 : b >>> 23;
    }

    @Override
    public void reluBackward(float[] x, float[] g, int from, int to, float[] out, int outFrom) {
        for (int i = from, o = outFrom; i < to; i++, o++) out[o] = x[i] > 0 ? g[i] : 0f;
    }

    @Override
    public void reluBackward(double[] x, double[] g, int from, int to, double[] out, int outFrom) {
        for (int i = from, o = outFrom; i < to; i++, o++) out[o] = x[i] > 0 ? g[i] : 0.0;
    }

    @Override
    public boolean allFinite(float[] a, int from, int to) {
        // NaN·0 and Inf·0 are NaN, finite·0 is 0; eight running sums, so the adds do not wait on each other
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        for (; i + 7 < to; i += 8) {
            s0 += a[i] * 0f;
            s1 += a[i + 1] * 0f;
            s2 += a[i + 2] * 0f;
            s3 += a[i + 3] * 0f;
            s4 += a[i + 4] * 0f;
            s5 += a[i + 5] * 0f;
            s6 += a[i + 6] * 0f;
            s7 += a[i + 7] * 0f;
        }
        for (; i < to; i++) s0 += a[i] * 0f;
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) == 0f;
    }

    @Override
    public boolean allFinite(double[] a, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += a[i] * 0.0;
            s1 += a[i + 1] * 0.0;
            s2 += a[i + 2] * 0.0;
            s3 += a[i + 3] * 0.0;
        }
        for (; i < to; i++) s0 += a[i] * 0.0;
        return (s0 + s1) + (s2 + s3) == 0.0;
    }

    @Override
    public double squaredDistance(float[] a, float[] b, int n) {
        // four running sums: one would wait on each addition
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = a[i] - (double) b[i], d1 = a[i + 1] - (double) b[i + 1], d2 = a[i + 2] - (double) b[i + 2], d3 = a[i + 3] - (double) b[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = a[i] - (double) b[i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public double squaredDistance(double[] a, double[] b, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = a[i] - b[i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void maxInto(float[] acc, int accOff, float[] a, int aOff, int n) {
        for (int i = 0; i < n; i++) acc[accOff + i] = Math.max(acc[accOff + i], a[aOff + i]);
    }

    @Override
    public void maxInto(double[] acc, int accOff, double[] a, int aOff, int n) {
        for (int i = 0; i < n; i++) acc[accOff + i] = Math.max(acc[accOff + i], a[aOff + i]);
    }

    @Override
    public void adam(float[] p, float[] g, double[] m, double[] v, int from, int to,
                     double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        for (int i = from; i < to; i++) p[i] = (float) adamElement(p[i], g[i], m, v, i, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
    }

    @Override
    public void adam(double[] p, double[] g, double[] m, double[] v, int from, int to,
                     double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        for (int i = from; i < to; i++) p[i] = adamElement(p[i], g[i], m, v, i, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
    }

    /** Adam's new value of one weight with gradient gi (m and v at i updated). */
    private static double adamElement(double weight, double gi, double[] m, double[] v, int i,
                                      double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        double pi = weight * decay;
        if (wd != 0) gi += wd * pi;
        m[i] += (gi - m[i]) * (1 - beta1);          // PyTorch's lerp form
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        return pi - stepSize * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps);
    }

    @Override
    public void rmsProp(float[] p, float[] g, double[] v, double[] mean, double[] buf, int from, int to,
                        double wd, double alpha, double eps, double momentum, double lr) {
        for (int i = from; i < to; i++) p[i] = (float) rmsPropElement(p[i], g[i], v, mean, buf, i, wd, alpha, eps, momentum, lr);
    }

    @Override
    public void rmsProp(double[] p, double[] g, double[] v, double[] mean, double[] buf, int from, int to,
                        double wd, double alpha, double eps, double momentum, double lr) {
        for (int i = from; i < to; i++) p[i] = rmsPropElement(p[i], g[i], v, mean, buf, i, wd, alpha, eps, momentum, lr);
    }

    /** RMSprop's new value of one weight pi with gradient gi (state at i updated). */
    private static double rmsPropElement(double pi, double gi, double[] v, double[] mean, double[] buf, int i,
                                         double wd, double alpha, double eps, double momentum, double lr) {
        if (wd != 0) gi += wd * pi;
        v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
        double d;
        if (mean != null) {
            mean[i] += (gi - mean[i]) * (1 - alpha);    // PyTorch's lerp form
            d = Math.sqrt(v[i] - mean[i] * mean[i]) + eps;
        } else {
            d = Math.sqrt(v[i]) + eps;
        }
        if (buf == null) return pi - lr * gi / d;
        buf[i] = momentum * buf[i] + gi / d;
        return pi - lr * buf[i];
    }
}
