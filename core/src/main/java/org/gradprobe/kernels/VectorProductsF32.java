package org.gradprobe.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

// @generate-float64
/**
 * The matrix product on the Vector API ({@code jdk.incubator.vector}), float32: packed and
 * cache-blocked in the style of BLIS/GotoBLAS, with a register-blocked micro-kernel of {@link #MR} rows
 * by two vectors of columns. Products with little work go to {@link ProductsF32}.
 *
 * <p>op(A) is packed once, up front, into micro-panels of MR rows (zero-padded), and shared by the
 * threads. The loops, outermost first: columns of C in blocks of {@code NC}; the shared dimension in
 * equal blocks of at most {@code KC} (that block of op(B) is packed into micro-panels of {@code NR} columns,
 * zero-padded); rows in blocks of {@code MC}; then one micro-kernel call per MR×NR tile of C. Transposes are absorbed by the packing, so every case runs
 * the same micro-kernel; without {@code accumulate} the first shared-dimension block stores into C
 * rather than adding, so C is never cleared first. A·Bᵀ with few rows or columns skips packing (dot
 * products along k, {@code nt}). Each element of C is summed in the same order whatever the thread
 * count.
 */
final class VectorProductsF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of a micro-tile: 6 rows × 2 vectors = 12 accumulators, which leaves registers for B and the broadcast on AVX2. */
    static final int MR = 6;
    private static final int NR = 2 * L;
    /**
     * Largest shared-dimension block: one packed B micro-panel (KC×NR) and one A micro-panel (MR×KC)
     * stay in the L1 cache. The shared dimension is cut into equal blocks of at most this (288 is one
     * block of 288, not 256 + 32: every block costs a pass over C).
     */
    private static final int KC = 320;
    /** Row block: the packed A block (MC×KC) read by the micro-kernels of one B panel stays in L2. */
    private static final int MC = 72;
    /** Column block: the packed B block (KC×NC) stays in L3. */
    private static final int NC = 4096;
    /** Shared-dimension chunk of the unpacked A·Bᵀ kernel: 7 rows of it (4 of A, 3 of B) stay in L1. */
    private static final int NT_KC = 1024;
    /** A·Bᵀ products with fewer rows or columns than this take the unpacked kernel (measured: 2× at 32×9, 0.6× at 64×288). */
    private static final int NT_BELOW = 16;
    /** Shared dimensions from which a product with a small C is cut along k ({@link #alongK}). */
    private static final int SPLIT_K_MIN = 2048;
    /** Largest C (m·n) a product is cut along k for: each piece keeps a partial C. */
    private static final int SPLIT_K_MAX_C = 1 << 16;
    /** Multiply-adds below which the plain loops win (packing costs more than it saves). */
    static final long SMALL_WORK = 2048;

    /** Per-thread packing buffers and the micro-tile, grown on demand and reused across calls. */
    private static final class Workspace {
        float[] packedA = new float[0], packedB = new float[0], tile = new float[MR * NR], parts = new float[0];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private VectorProductsF32() {}

    /** The vector shape in use, for provenance and benchmarks ("float32 x8"). */
    static String describe() {
        return "float32 x" + L;
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        if ((long) m * n * k < SMALL_WORK) {
            ProductsF32.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        if (transB && !transA && Math.min(m, n) < NT_BELOW) {
            if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0f);
            // A·Bᵀ with both along k and few rows or columns (a small batch's linear layer, a 1-channel
            // convolution's weight gradient): dot products need no packing, which would mostly pad
            split(m, n, k, 4, 3, (i0, i1, j0, j1) -> nt(i0, i1, j0, j1, k, a, aOff, b, bOff, c, cOff, n));
            return;
        }
        // op(A)(i,p) = a[aOff + i·ars + p·acs]; op(B)(p,j) = b[bOff + p·brs + j·bcs]
        int ars = transA ? 1 : k, acs = transA ? m : 1, brs = transB ? 1 : n, bcs = transB ? k : 1;
        if (k == 0) {
            if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0f);
            return;
        }
        if (k >= SPLIT_K_MIN && (long) m * n <= SPLIT_K_MAX_C) {
            alongK(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, accumulate);
            return;
        }
        // without accumulate, the first block of the shared dimension stores into C instead of adding (no clearing pass)
        // op(A) packed once for all the pieces (each would otherwise pack all of it again for its columns)
        float[] ap = packAll(a, aOff, ars, acs, m, k);
        int mPad = roundUp(m, MR);
        split(m, n, k, MR, NR, (i0, i1, j0, j1) -> blocked(i0, i1, j0, j1, k, ap, mPad, b, bOff, brs, bcs, c, cOff, n, !accumulate));
    }

    /**
     * A product with a small C and a long shared dimension (a convolution's weight gradient: 64×288,
     * summed over 7,744 positions at batch 64). Cut into column pieces, each core would stream all of
     * op(A) again for a few columns of C; cut along k instead, each piece computes a partial C over its
     * share of k (op(A)'s block then serves every column), and the partials are added in piece order.
     * The pieces depend on k alone, so the result does not depend on the threads.
     */
    private static void alongK(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                               float[] c, int cOff, boolean accumulate) {
        int pieces = Math.max(4, Math.min(16, k / SPLIT_K_MIN)), size = m * n;
        Workspace ws = WORKSPACE.get();
        if (ws.parts.length < pieces * size) ws.parts = new float[pieces * size];
        float[] parts = ws.parts;
        Parallel.forChunks(pieces, (chunk, from, to) -> {
            for (int q = from; q < to; q++) {
                int k0 = (int) ((long) k * q / pieces), kq = (int) ((long) k * (q + 1) / pieces) - k0;
                float[] ap = packAll(a, aOff + k0 * acs, ars, acs, m, kq);
                blocked(0, m, 0, n, kq, ap, roundUp(m, MR), b, bOff + k0 * brs, brs, bcs, parts, q * size, n, true);
            }
        });
        for (int i = 0; i < size; i++) {
            float sum = accumulate ? c[cOff + i] : 0f;
            for (int q = 0; q < pieces; q++) sum += parts[q * size + i];
            c[cOff + i] = sum;
        }
    }

    /**
     * All of op(A) (m×k) packed for {@link #blocked}: block by block of the shared dimension ({@link #kBlock}), the
     * block at [pc, pc + kc) starting at pc·mPad, each in MR-row micro-panels (rows past m zero), so rows
     * [i, i + MR) of a block start at pc·mPad + i·kc. Packed in parallel by row panels, into the calling
     * thread's workspace.
     */
    private static float[] packAll(float[] a, int aOff, int ars, int acs, int m, int k) {
        int mPad = roundUp(m, MR), panels = mPad / MR, kb = kBlock(k);
        Workspace ws = WORKSPACE.get();
        if (ws.packedA.length < mPad * k) ws.packedA = new float[mPad * k];
        float[] ap = ws.packedA;
        Parallel.forChunks(panels, Math.max(1, Parallel.MIN_WORK / (MR * k)), (chunk, from, to) -> {
            int r0 = from * MR, r1 = Math.min(m, to * MR);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                packA(a, aOff + r0 * ars + pc * acs, ars, acs, r1 - r0, kc, ap, pc * mPad + r0 * kc);
            }
        });
        return ap;
    }

    private static void blocked(int i0, int i1, int j0, int j1, int k, float[] ap, int mPad,
                                float[] b, int bOff, int brs, int bcs, float[] c, int cOff, int ldc, boolean overwrite) {
        Workspace ws = WORKSPACE.get();
        int kb = kBlock(k);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc), ncPad = roundUp(nc, NR);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                if (ws.packedB.length < kc * ncPad) ws.packedB = new float[kb * ncPad];
                float[] bp = ws.packedB;
                packB(b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, NR, bp);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic), ao = pc * mPad + ic * kc;
                    for (int jr = 0; jr < nc; jr += NR) {
                        int w = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int h = Math.min(MR, mc - ir), co = cOff + (ic + ir) * ldc + jc + jr;
                            boolean add = pc > 0 || !overwrite;
                            if (h == MR && w == NR) {
                                microKernel(kc, ap, ao + ir * kc, bp, jr * kc, c, co, ldc, add);
                            } else {
                                // an edge tile goes through a full-size scratch tile, so the kernel has no branch on its size
                                float[] tile = ws.tile;
                                Arrays.fill(tile, 0);
                                if (add) for (int i = 0; i < h; i++) System.arraycopy(c, co + i * ldc, tile, i * NR, w);
                                microKernel(kc, ap, ao + ir * kc, bp, jr * kc, tile, 0, NR, true);
                                for (int i = 0; i < h; i++) System.arraycopy(tile, i * NR, c, co + i * ldc, w);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Packs op(A)[0..mc, 0..kc] (from {@code off}) into MR-row micro-panels at {@code apOff}: panel r holds, for each p, MR values. */
    private static void packA(float[] a, int off, int rs, int cs, int mc, int kc, float[] ap, int apOff) {
        for (int ir = 0; ir < mc; ir += MR) {
            int h = Math.min(MR, mc - ir), dst = apOff + ir * kc;
            for (int p = 0; p < kc; p++, dst += MR) {
                int src = off + ir * rs + p * cs;
                for (int i = 0; i < h; i++) ap[dst + i] = a[src + i * rs];
                for (int i = h; i < MR; i++) ap[dst + i] = 0f;
            }
        }
    }

    /** Packs op(B)[0..kc, 0..nc] (from {@code off}) into nr-column micro-panels, zero-padded to full width. */
    private static void packB(float[] b, int off, int rs, int cs, int kc, int nc, int nr, float[] bp) {
        int full = cs == 1 && nr == NR ? nc / NR * NR : 0;
        // full panels of a row-major B, row by row: B read in order (a panel at a time would jump a row
        // of B for every 16 values), each row's pieces written two vectors at a time
        for (int p = 0; p < kc; p++) {
            int src = off + p * rs, dst = p * NR;
            for (int jr = 0; jr < full; jr += NR, dst += kc * NR) {
                FloatVector.fromArray(S, b, src + jr).intoArray(bp, dst);
                FloatVector.fromArray(S, b, src + jr + L).intoArray(bp, dst + L);
            }
        }
        for (int jr = full; jr < nc; jr += nr) {
            int w = Math.min(nr, nc - jr), dst = jr * kc;
            if (cs == 1) {
                for (int p = 0; p < kc; p++, dst += nr) {
                    System.arraycopy(b, off + p * rs + jr, bp, dst, w);
                    for (int j = w; j < nr; j++) bp[dst + j] = 0f;
                }
            } else {
                // B stored transposed (rs = 1): read each stored row contiguously, write one column of the panel
                for (int j = 0; j < nr; j++) {
                    int src = off + (jr + j) * cs;
                    if (j < w) for (int p = 0; p < kc; p++) bp[dst + p * nr + j] = b[src + p];
                    else for (int p = 0; p < kc; p++) bp[dst + p * nr + j] = 0f;
                }
            }
        }
    }

    /**
     * C[MR×NR tile at co] += Σ_p A-panel[p]ᵀ·B-panel[p]. The accumulators start at zero and C is read
     * only at the end: loading C first makes every FMA wait on those (often cache-missing) loads, 1.8×
     * slower at 512³. Straight-line code with no branch on the tile's size: a branch that reads the
     * accumulators on a rare path makes C2 keep them as heap objects (3× slower), so edge tiles are
     * handled by the caller through a scratch tile.
     */
    private static void microKernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        int o0 = co, o1 = co + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bq = bo + p * NR, aq = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bq), b1 = FloatVector.fromArray(S, bp, bq + L);
            FloatVector x = FloatVector.broadcast(S, ap[aq]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[aq + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[aq + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[aq + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, ap[aq + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, ap[aq + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, o0));
            c01 = c01.add(FloatVector.fromArray(S, c, o0 + L));
            c10 = c10.add(FloatVector.fromArray(S, c, o1));
            c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, o2));
            c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, o3));
            c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, o4));
            c41 = c41.add(FloatVector.fromArray(S, c, o4 + L));
            c50 = c50.add(FloatVector.fromArray(S, c, o5));
            c51 = c51.add(FloatVector.fromArray(S, c, o5 + L));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + L);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + L);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + L);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + L);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + L);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + L);
    }

    /**
     * C[i,j] += Σ_p A[i,p]·B[j,p] with A (m×k) and B (n×k) both stored along k: dot products straight
     * from the operands, no packing. Blocks of 4 rows × 3 columns (12 accumulators, one load of A
     * and three of B per 12 multiply-adds), k in chunks that keep the rows in L1.
     */
    private static void nt(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc) {
        for (int kb = 0; kb < k; kb += NT_KC) {
            int ke = Math.min(k, kb + NT_KC);
            int i = i0;
            for (; i + 3 < i1; i += 4) {
                int j = j0;
                for (; j + 2 < j1; j += 3) ntBlock(kb, ke, a, aOff + i * k, k, b, bOff + j * k, c, cOff + i * ldc + j, ldc);
                for (; j < j1; j++) for (int r = 0; r < 4; r++) c[cOff + (i + r) * ldc + j] += dot(kb, ke, a, aOff + (i + r) * k, b, bOff + j * k);
            }
            for (; i < i1; i++) for (int j = j0; j < j1; j++) c[cOff + i * ldc + j] += dot(kb, ke, a, aOff + i * k, b, bOff + j * k);
        }
    }

    private static void ntBlock(int kb, int ke, float[] a, int a0, int lda, float[] b, int b0, float[] c, int co, int ldc) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, b1 = b0 + lda, b2 = b1 + lda;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
                c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        int p = kb;
        for (; p + L <= ke; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, b, b0 + p), x1 = FloatVector.fromArray(S, b, b1 + p), x2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector y = FloatVector.fromArray(S, a, a0 + p);
            c00 = y.fma(x0, c00);
            c01 = y.fma(x1, c01);
            c02 = y.fma(x2, c02);
            y = FloatVector.fromArray(S, a, a1 + p);
            c10 = y.fma(x0, c10);
            c11 = y.fma(x1, c11);
            c12 = y.fma(x2, c12);
            y = FloatVector.fromArray(S, a, a2 + p);
            c20 = y.fma(x0, c20);
            c21 = y.fma(x1, c21);
            c22 = y.fma(x2, c22);
            y = FloatVector.fromArray(S, a, a3 + p);
            c30 = y.fma(x0, c30);
            c31 = y.fma(x1, c31);
            c32 = y.fma(x2, c32);
        }
        float t00 = c00.reduceLanes(VectorOperators.ADD), t01 = c01.reduceLanes(VectorOperators.ADD), t02 = c02.reduceLanes(VectorOperators.ADD),
                t10 = c10.reduceLanes(VectorOperators.ADD), t11 = c11.reduceLanes(VectorOperators.ADD), t12 = c12.reduceLanes(VectorOperators.ADD),
                t20 = c20.reduceLanes(VectorOperators.ADD), t21 = c21.reduceLanes(VectorOperators.ADD), t22 = c22.reduceLanes(VectorOperators.ADD),
                t30 = c30.reduceLanes(VectorOperators.ADD), t31 = c31.reduceLanes(VectorOperators.ADD), t32 = c32.reduceLanes(VectorOperators.ADD);
        for (; p < ke; p++) {
            float x0 = b[b0 + p], x1 = b[b1 + p], x2 = b[b2 + p], y0 = a[a0 + p], y1 = a[a1 + p], y2 = a[a2 + p], y3 = a[a3 + p];
            t00 += y0 * x0;
            t01 += y0 * x1;
            t02 += y0 * x2;
            t10 += y1 * x0;
            t11 += y1 * x1;
            t12 += y1 * x2;
            t20 += y2 * x0;
            t21 += y2 * x1;
            t22 += y2 * x2;
            t30 += y3 * x0;
            t31 += y3 * x1;
            t32 += y3 * x2;
        }
        c[co] += t00;
        c[co + 1] += t01;
        c[co + 2] += t02;
        c[co + ldc] += t10;
        c[co + ldc + 1] += t11;
        c[co + ldc + 2] += t12;
        c[co + 2 * ldc] += t20;
        c[co + 2 * ldc + 1] += t21;
        c[co + 2 * ldc + 2] += t22;
        c[co + 3 * ldc] += t30;
        c[co + 3 * ldc + 1] += t31;
        c[co + 3 * ldc + 2] += t32;
    }

    private static float dot(int kb, int ke, float[] a, int ao, float[] b, int bo) {
        // four accumulators: one would make every multiply-add wait for the previous one
        FloatVector acc0 = FloatVector.zero(S), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int p = kb;
        for (; p + 4 * L <= ke; p += 4 * L) {
            acc0 = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), acc0);
            acc1 = FloatVector.fromArray(S, a, ao + p + L).fma(FloatVector.fromArray(S, b, bo + p + L), acc1);
            acc2 = FloatVector.fromArray(S, a, ao + p + 2 * L).fma(FloatVector.fromArray(S, b, bo + p + 2 * L), acc2);
            acc3 = FloatVector.fromArray(S, a, ao + p + 3 * L).fma(FloatVector.fromArray(S, b, bo + p + 3 * L), acc3);
        }
        for (; p + L <= ke; p += L) acc0 = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), acc0);
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; p < ke; p++) s += a[ao + p] * b[bo + p];
        return s;
    }

    // ---------------------------------------------------------------- shared

    /** One rectangle of C, rows [i0, i1) × columns [j0, j1). */
    @FunctionalInterface
    private interface Block {
        void run(int i0, int i1, int j0, int j1);
    }

    /**
     * Runs C in rectangles over the cores: along the columns in whole blocks of {@code nr} when there
     * are enough of them, else along the rows in whole blocks of {@code mr}. The rectangles start on the
     * kernel's own block boundaries, so each element is computed by the same code path, and summed in
     * the same order, whatever the thread count.
     */
    private static void split(int m, int n, int k, int mr, int nr, Block block) {
        long work = (long) m * n * k;
        int threads = Parallel.threadsFor(Integer.MAX_VALUE);
        if (work < Parallel.MIN_MULTIPLY_ADDS || threads == 1) {
            block.run(0, m, 0, n);
            return;
        }
        int colPanels = (n + nr - 1) / nr, rowPanels = (m + mr - 1) / mr;
        if (colPanels >= 2 * threads || colPanels >= rowPanels) {
            Parallel.forChunks(colPanels, (chunk, from, to) -> block.run(0, m, from * nr, Math.min(n, to * nr)));
        } else {
            Parallel.forChunks(rowPanels, (chunk, from, to) -> block.run(from * mr, Math.min(m, to * mr), 0, n));
        }
    }

    /** The shared-dimension block size for k: k cut into the fewest equal blocks of at most KC. */
    static int kBlock(int k) {
        int blocks = Math.max(1, (k + KC - 1) / KC);
        return (k + blocks - 1) / blocks;
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }
}
