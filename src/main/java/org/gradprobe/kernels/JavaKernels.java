package org.gradprobe.kernels;

import java.util.Arrays;

/**
 * Plain-Java kernels: loop orders chosen so the innermost loop runs over contiguous memory. The
 * fallback when the Vector API module is not present, and the base of {@link VectorKernels}.
 */
class JavaKernels implements Kernels {
    static final JavaKernels INSTANCE = new JavaKernels();

    /** Multiply-adds below which a product runs on one thread (splitting costs more than it saves). */
    static final long PARALLEL_WORK = 1 << 18;

    JavaKernels() {}

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0f);
        if (!transB) {
            // op(A) element (i, p) sits at aOff + i·strideI + p·strideP
            int strideI = transA ? 1 : k, strideP = transA ? m : 1;
            if ((long) m * n * k < PARALLEL_WORK || Parallel.chunks(m) == 1) {
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
            if ((long) m * n * k < PARALLEL_WORK || Parallel.chunks(m) == 1) {
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
    public void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(cols, dst, dst + ow, 0f);
                            continue;
                        }
                        int src = xOff + (ch * h + iy) * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            cols[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void im2col(double[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] cols, int colsOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(cols, dst, dst + ow, 0.0);
                            continue;
                        }
                        int src = xOff + (ch * h + iy) * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            cols[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0.0;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(float[] cols, int colsOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xOff + (ch * h + iy) * w;
                        int src = row + oy * ow;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < w) dx[dst + ix] += cols[src + ox];
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(double[] cols, int colsOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] dx, int xOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xOff + (ch * h + iy) * w;
                        int src = row + oy * ow;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < w) dx[dst + ix] += cols[src + ox];
                        }
                    }
                }
            }
        }
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int k, int stride, int oh, int ow, float[] out, int[] argmax) {
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = base + oy * stride * w + ox * stride;
                    float bv = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int rowIdx = base + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            float v = x[rowIdx + kx];
                            if (v > bv || (Float.isNaN(v) && !Float.isNaN(bv))) {
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

    @Override
    public void maxPool2d(double[] x, int planes, int h, int w, int k, int stride, int oh, int ow, double[] out, int[] argmax) {
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = base + oy * stride * w + ox * stride;
                    double bv = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int rowIdx = base + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            double v = x[rowIdx + kx];
                            if (v > bv || (Double.isNaN(v) && !Double.isNaN(bv))) {
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
}
