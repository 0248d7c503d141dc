package org.gradprobe.kernels;

import java.util.Arrays;

// @generate-float64
/**
 * The matrix product C = op(A)·op(B) in plain loops, float32: the fallback when the Vector API is not
 * present, and the small products' path of {@link VectorProductsF32}.
 */
final class ProductsF32 {
    private ProductsF32() {}

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
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

}
