package org.gradprobe.kernels;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Vector API ({@code jdk.incubator.vector}): a packed, cache-blocked matrix multiply
 * in the style of BLIS/GotoBLAS, with a register-blocked micro-kernel of {@link #MR} rows by two
 * vectors of columns. What it does not override comes from {@link JavaKernels}.
 *
 * <p>op(A) is packed once, up front, into micro-panels of MR rows (zero-padded), and shared by the
 * threads. The loops, outermost first: columns of C in blocks of {@code NC}; the shared dimension in
 * equal blocks of at most {@code KC} (that block of op(B) is packed into micro-panels of {@code NR} columns,
 * zero-padded); rows in blocks of {@code MC}; then one micro-kernel call per MR×NR tile of C. Transposes are absorbed by the packing, so every case runs
 * the same micro-kernel; without {@code accumulate} the first shared-dimension block stores into C
 * rather than adding, so C is never cleared first. A·Bᵀ with few rows or columns skips packing (dot
 * products along k, {@code nt}). Each element of C is summed in the same order whatever the thread
 * count. Also vectorized here: relu's backward, the probe's statistics pass and the finite check.
 */
final class VectorKernels extends JavaKernels {
    static final VectorKernels INSTANCE = new VectorKernels();

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int FL = FS.length(), DL = DS.length();
    /** Rows of a micro-tile: 6 rows × 2 vectors = 12 accumulators, which leaves registers for B and the broadcast on AVX2. */
    static final int MR = 6;
    private static final int FNR = 2 * FL, DNR = 2 * DL;
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
        float[] fa = new float[0], fb = new float[0], ft = new float[MR * FNR], fp = new float[0];
        double[] da = new double[0], db = new double[0], dt = new double[MR * DNR], dp = new double[0];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private VectorKernels() {}

    /** The vector shape in use, for provenance and benchmarks ("float x8, double x4"). */
    static String describe() {
        return "float x" + FL + ", double x" + DL;
    }

    // ---------------------------------------------------------------- float32

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        if ((long) m * n * k < SMALL_WORK) {
            super.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
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
        split(m, n, k, MR, FNR, (i0, i1, j0, j1) -> blocked(i0, i1, j0, j1, k, ap, mPad, b, bOff, brs, bcs, c, cOff, n, !accumulate));
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
        if (ws.fp.length < pieces * size) ws.fp = new float[pieces * size];
        float[] parts = ws.fp;
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
        if (ws.fa.length < mPad * k) ws.fa = new float[mPad * k];
        float[] ap = ws.fa;
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
            int nc = Math.min(NC, j1 - jc), ncPad = roundUp(nc, FNR);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                if (ws.fb.length < kc * ncPad) ws.fb = new float[kb * ncPad];
                float[] bp = ws.fb;
                packB(b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, FNR, bp);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic), ao = pc * mPad + ic * kc;
                    for (int jr = 0; jr < nc; jr += FNR) {
                        int w = Math.min(FNR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int h = Math.min(MR, mc - ir), co = cOff + (ic + ir) * ldc + jc + jr;
                            boolean add = pc > 0 || !overwrite;
                            if (h == MR && w == FNR) {
                                microKernel(kc, ap, ao + ir * kc, bp, jr * kc, c, co, ldc, add);
                            } else {
                                // an edge tile goes through a full-size scratch tile, so the kernel has no branch on its size
                                float[] tile = ws.ft;
                                Arrays.fill(tile, 0);
                                if (add) for (int i = 0; i < h; i++) System.arraycopy(c, co + i * ldc, tile, i * FNR, w);
                                microKernel(kc, ap, ao + ir * kc, bp, jr * kc, tile, 0, FNR, true);
                                for (int i = 0; i < h; i++) System.arraycopy(tile, i * FNR, c, co + i * ldc, w);
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
        int full = cs == 1 && nr == FNR ? nc / FNR * FNR : 0;
        // full panels of a row-major B, row by row: B read in order (a panel at a time would jump a row
        // of B for every 16 values), each row's pieces written two vectors at a time
        for (int p = 0; p < kc; p++) {
            int src = off + p * rs, dst = p * FNR;
            for (int jr = 0; jr < full; jr += FNR, dst += kc * FNR) {
                FloatVector.fromArray(FS, b, src + jr).intoArray(bp, dst);
                FloatVector.fromArray(FS, b, src + jr + FL).intoArray(bp, dst + FL);
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
        FloatVector c00 = FloatVector.zero(FS), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bq = bo + p * FNR, aq = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(FS, bp, bq), b1 = FloatVector.fromArray(FS, bp, bq + FL);
            FloatVector x = FloatVector.broadcast(FS, ap[aq]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(FS, ap[aq + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(FS, ap[aq + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(FS, ap[aq + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(FS, ap[aq + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(FS, ap[aq + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(FS, c, o0));
            c01 = c01.add(FloatVector.fromArray(FS, c, o0 + FL));
            c10 = c10.add(FloatVector.fromArray(FS, c, o1));
            c11 = c11.add(FloatVector.fromArray(FS, c, o1 + FL));
            c20 = c20.add(FloatVector.fromArray(FS, c, o2));
            c21 = c21.add(FloatVector.fromArray(FS, c, o2 + FL));
            c30 = c30.add(FloatVector.fromArray(FS, c, o3));
            c31 = c31.add(FloatVector.fromArray(FS, c, o3 + FL));
            c40 = c40.add(FloatVector.fromArray(FS, c, o4));
            c41 = c41.add(FloatVector.fromArray(FS, c, o4 + FL));
            c50 = c50.add(FloatVector.fromArray(FS, c, o5));
            c51 = c51.add(FloatVector.fromArray(FS, c, o5 + FL));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + FL);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + FL);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + FL);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + FL);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + FL);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + FL);
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
        FloatVector c00 = FloatVector.zero(FS), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
                c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        int p = kb;
        for (; p + FL <= ke; p += FL) {
            FloatVector x0 = FloatVector.fromArray(FS, b, b0 + p), x1 = FloatVector.fromArray(FS, b, b1 + p), x2 = FloatVector.fromArray(FS, b, b2 + p);
            FloatVector y = FloatVector.fromArray(FS, a, a0 + p);
            c00 = y.fma(x0, c00);
            c01 = y.fma(x1, c01);
            c02 = y.fma(x2, c02);
            y = FloatVector.fromArray(FS, a, a1 + p);
            c10 = y.fma(x0, c10);
            c11 = y.fma(x1, c11);
            c12 = y.fma(x2, c12);
            y = FloatVector.fromArray(FS, a, a2 + p);
            c20 = y.fma(x0, c20);
            c21 = y.fma(x1, c21);
            c22 = y.fma(x2, c22);
            y = FloatVector.fromArray(FS, a, a3 + p);
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
        FloatVector acc0 = FloatVector.zero(FS), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int p = kb;
        for (; p + 4 * FL <= ke; p += 4 * FL) {
            acc0 = FloatVector.fromArray(FS, a, ao + p).fma(FloatVector.fromArray(FS, b, bo + p), acc0);
            acc1 = FloatVector.fromArray(FS, a, ao + p + FL).fma(FloatVector.fromArray(FS, b, bo + p + FL), acc1);
            acc2 = FloatVector.fromArray(FS, a, ao + p + 2 * FL).fma(FloatVector.fromArray(FS, b, bo + p + 2 * FL), acc2);
            acc3 = FloatVector.fromArray(FS, a, ao + p + 3 * FL).fma(FloatVector.fromArray(FS, b, bo + p + 3 * FL), acc3);
        }
        for (; p + FL <= ke; p += FL) acc0 = FloatVector.fromArray(FS, a, ao + p).fma(FloatVector.fromArray(FS, b, bo + p), acc0);
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; p < ke; p++) s += a[ao + p] * b[bo + p];
        return s;
    }

    // ---------------------------------------------------------------- float64 (twin of the above)

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        if ((long) m * n * k < SMALL_WORK) {
            super.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        if (transB && !transA && Math.min(m, n) < NT_BELOW) {
            if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0.0);
            // A·Bᵀ with both along k and few rows or columns (a small batch's linear layer, a 1-channel
            // convolution's weight gradient): dot products need no packing, which would mostly pad
            split(m, n, k, 4, 3, (i0, i1, j0, j1) -> nt(i0, i1, j0, j1, k, a, aOff, b, bOff, c, cOff, n));
            return;
        }
        int ars = transA ? 1 : k, acs = transA ? m : 1, brs = transB ? 1 : n, bcs = transB ? k : 1;
        if (k == 0) {
            if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0.0);
            return;
        }
        if (k >= SPLIT_K_MIN && (long) m * n <= SPLIT_K_MAX_C) {
            alongK(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, accumulate);
            return;
        }
        // without accumulate, the first block of the shared dimension stores into C instead of adding (no clearing pass)
        // op(A) packed once for all the pieces (each would otherwise pack all of it again for its columns)
        double[] ap = packAll(a, aOff, ars, acs, m, k);
        int mPad = roundUp(m, MR);
        split(m, n, k, MR, DNR, (i0, i1, j0, j1) -> blocked(i0, i1, j0, j1, k, ap, mPad, b, bOff, brs, bcs, c, cOff, n, !accumulate));
    }

    private static void alongK(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, int bcs,
                               double[] c, int cOff, boolean accumulate) {
        int pieces = Math.max(4, Math.min(16, k / SPLIT_K_MIN)), size = m * n;
        Workspace ws = WORKSPACE.get();
        if (ws.dp.length < pieces * size) ws.dp = new double[pieces * size];
        double[] parts = ws.dp;
        Parallel.forChunks(pieces, (chunk, from, to) -> {
            for (int q = from; q < to; q++) {
                int k0 = (int) ((long) k * q / pieces), kq = (int) ((long) k * (q + 1) / pieces) - k0;
                double[] ap = packAll(a, aOff + k0 * acs, ars, acs, m, kq);
                blocked(0, m, 0, n, kq, ap, roundUp(m, MR), b, bOff + k0 * brs, brs, bcs, parts, q * size, n, true);
            }
        });
        for (int i = 0; i < size; i++) {
            double sum = accumulate ? c[cOff + i] : 0.0;
            for (int q = 0; q < pieces; q++) sum += parts[q * size + i];
            c[cOff + i] = sum;
        }
    }

    /** The twin of the float32 {@code packAll}. */
    private static double[] packAll(double[] a, int aOff, int ars, int acs, int m, int k) {
        int mPad = roundUp(m, MR), panels = mPad / MR, kb = kBlock(k);
        Workspace ws = WORKSPACE.get();
        if (ws.da.length < mPad * k) ws.da = new double[mPad * k];
        double[] ap = ws.da;
        Parallel.forChunks(panels, Math.max(1, Parallel.MIN_WORK / (MR * k)), (chunk, from, to) -> {
            int r0 = from * MR, r1 = Math.min(m, to * MR);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                packA(a, aOff + r0 * ars + pc * acs, ars, acs, r1 - r0, kc, ap, pc * mPad + r0 * kc);
            }
        });
        return ap;
    }

    private static void blocked(int i0, int i1, int j0, int j1, int k, double[] ap, int mPad,
                                double[] b, int bOff, int brs, int bcs, double[] c, int cOff, int ldc, boolean overwrite) {
        Workspace ws = WORKSPACE.get();
        int kb = kBlock(k);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc), ncPad = roundUp(nc, DNR);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                if (ws.db.length < kc * ncPad) ws.db = new double[kb * ncPad];
                double[] bp = ws.db;
                packB(b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, DNR, bp);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic), ao = pc * mPad + ic * kc;
                    for (int jr = 0; jr < nc; jr += DNR) {
                        int w = Math.min(DNR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int h = Math.min(MR, mc - ir), co = cOff + (ic + ir) * ldc + jc + jr;
                            boolean add = pc > 0 || !overwrite;
                            if (h == MR && w == DNR) {
                                microKernel(kc, ap, ao + ir * kc, bp, jr * kc, c, co, ldc, add);
                            } else {
                                // an edge tile goes through a full-size scratch tile, so the kernel has no branch on its size
                                double[] tile = ws.dt;
                                Arrays.fill(tile, 0);
                                if (add) for (int i = 0; i < h; i++) System.arraycopy(c, co + i * ldc, tile, i * DNR, w);
                                microKernel(kc, ap, ao + ir * kc, bp, jr * kc, tile, 0, DNR, true);
                                for (int i = 0; i < h; i++) System.arraycopy(tile, i * DNR, c, co + i * ldc, w);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void packA(double[] a, int off, int rs, int cs, int mc, int kc, double[] ap, int apOff) {
        for (int ir = 0; ir < mc; ir += MR) {
            int h = Math.min(MR, mc - ir), dst = apOff + ir * kc;
            for (int p = 0; p < kc; p++, dst += MR) {
                int src = off + ir * rs + p * cs;
                for (int i = 0; i < h; i++) ap[dst + i] = a[src + i * rs];
                for (int i = h; i < MR; i++) ap[dst + i] = 0.0;
            }
        }
    }

    private static void packB(double[] b, int off, int rs, int cs, int kc, int nc, int nr, double[] bp) {
        for (int jr = 0; jr < nc; jr += nr) {
            int w = Math.min(nr, nc - jr), dst = jr * kc;
            if (cs == 1) {
                for (int p = 0; p < kc; p++, dst += nr) {
                    System.arraycopy(b, off + p * rs + jr, bp, dst, w);
                    for (int j = w; j < nr; j++) bp[dst + j] = 0.0;
                }
            } else {
                // B stored transposed (rs = 1): read each stored row contiguously, write one column of the panel
                for (int j = 0; j < nr; j++) {
                    int src = off + (jr + j) * cs;
                    if (j < w) for (int p = 0; p < kc; p++) bp[dst + p * nr + j] = b[src + p];
                    else for (int p = 0; p < kc; p++) bp[dst + p * nr + j] = 0.0;
                }
            }
        }
    }

    private static void microKernel(int kc, double[] ap, int ao, double[] bp, int bo, double[] c, int co, int ldc, boolean add) {
        int o0 = co, o1 = co + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc;
        DoubleVector c00 = DoubleVector.zero(DS), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bq = bo + p * DNR, aq = ao + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, bq), b1 = DoubleVector.fromArray(DS, bp, bq + DL);
            DoubleVector x = DoubleVector.broadcast(DS, ap[aq]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = DoubleVector.broadcast(DS, ap[aq + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = DoubleVector.broadcast(DS, ap[aq + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = DoubleVector.broadcast(DS, ap[aq + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = DoubleVector.broadcast(DS, ap[aq + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = DoubleVector.broadcast(DS, ap[aq + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
        }
        if (add) {
            c00 = c00.add(DoubleVector.fromArray(DS, c, o0));
            c01 = c01.add(DoubleVector.fromArray(DS, c, o0 + DL));
            c10 = c10.add(DoubleVector.fromArray(DS, c, o1));
            c11 = c11.add(DoubleVector.fromArray(DS, c, o1 + DL));
            c20 = c20.add(DoubleVector.fromArray(DS, c, o2));
            c21 = c21.add(DoubleVector.fromArray(DS, c, o2 + DL));
            c30 = c30.add(DoubleVector.fromArray(DS, c, o3));
            c31 = c31.add(DoubleVector.fromArray(DS, c, o3 + DL));
            c40 = c40.add(DoubleVector.fromArray(DS, c, o4));
            c41 = c41.add(DoubleVector.fromArray(DS, c, o4 + DL));
            c50 = c50.add(DoubleVector.fromArray(DS, c, o5));
            c51 = c51.add(DoubleVector.fromArray(DS, c, o5 + DL));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + DL);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + DL);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + DL);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + DL);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + DL);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + DL);
    }

    private static void nt(int i0, int i1, int j0, int j1, int k, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int ldc) {
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

    private static void ntBlock(int kb, int ke, double[] a, int a0, int lda, double[] b, int b0, double[] c, int co, int ldc) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, b1 = b0 + lda, b2 = b1 + lda;
        DoubleVector c00 = DoubleVector.zero(DS), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
                c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        int p = kb;
        for (; p + DL <= ke; p += DL) {
            DoubleVector x0 = DoubleVector.fromArray(DS, b, b0 + p), x1 = DoubleVector.fromArray(DS, b, b1 + p), x2 = DoubleVector.fromArray(DS, b, b2 + p);
            DoubleVector y = DoubleVector.fromArray(DS, a, a0 + p);
            c00 = y.fma(x0, c00);
            c01 = y.fma(x1, c01);
            c02 = y.fma(x2, c02);
            y = DoubleVector.fromArray(DS, a, a1 + p);
            c10 = y.fma(x0, c10);
            c11 = y.fma(x1, c11);
            c12 = y.fma(x2, c12);
            y = DoubleVector.fromArray(DS, a, a2 + p);
            c20 = y.fma(x0, c20);
            c21 = y.fma(x1, c21);
            c22 = y.fma(x2, c22);
            y = DoubleVector.fromArray(DS, a, a3 + p);
            c30 = y.fma(x0, c30);
            c31 = y.fma(x1, c31);
            c32 = y.fma(x2, c32);
        }
        double t00 = c00.reduceLanes(VectorOperators.ADD), t01 = c01.reduceLanes(VectorOperators.ADD), t02 = c02.reduceLanes(VectorOperators.ADD),
                t10 = c10.reduceLanes(VectorOperators.ADD), t11 = c11.reduceLanes(VectorOperators.ADD), t12 = c12.reduceLanes(VectorOperators.ADD),
                t20 = c20.reduceLanes(VectorOperators.ADD), t21 = c21.reduceLanes(VectorOperators.ADD), t22 = c22.reduceLanes(VectorOperators.ADD),
                t30 = c30.reduceLanes(VectorOperators.ADD), t31 = c31.reduceLanes(VectorOperators.ADD), t32 = c32.reduceLanes(VectorOperators.ADD);
        for (; p < ke; p++) {
            double x0 = b[b0 + p], x1 = b[b1 + p], x2 = b[b2 + p], y0 = a[a0 + p], y1 = a[a1 + p], y2 = a[a2 + p], y3 = a[a3 + p];
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

    private static double dot(int kb, int ke, double[] a, int ao, double[] b, int bo) {
        // four accumulators: one would make every multiply-add wait for the previous one
        DoubleVector acc0 = DoubleVector.zero(DS), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int p = kb;
        for (; p + 4 * DL <= ke; p += 4 * DL) {
            acc0 = DoubleVector.fromArray(DS, a, ao + p).fma(DoubleVector.fromArray(DS, b, bo + p), acc0);
            acc1 = DoubleVector.fromArray(DS, a, ao + p + DL).fma(DoubleVector.fromArray(DS, b, bo + p + DL), acc1);
            acc2 = DoubleVector.fromArray(DS, a, ao + p + 2 * DL).fma(DoubleVector.fromArray(DS, b, bo + p + 2 * DL), acc2);
            acc3 = DoubleVector.fromArray(DS, a, ao + p + 3 * DL).fma(DoubleVector.fromArray(DS, b, bo + p + 3 * DL), acc3);
        }
        for (; p + DL <= ke; p += DL) acc0 = DoubleVector.fromArray(DS, a, ao + p).fma(DoubleVector.fromArray(DS, b, bo + p), acc0);
        double s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; p < ke; p++) s += a[ao + p] * b[bo + p];
        return s;
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public void reluBackward(float[] x, float[] g, int from, int to, float[] out, int outFrom) {
        // the scalar select does not vectorize (C2 emits a branch that mispredicts on real activations)
        FloatVector zero = FloatVector.zero(FS);
        int i = from, o = outFrom;
        for (; i + FL <= to; i += FL, o += FL) {
            FloatVector xv = FloatVector.fromArray(FS, x, i);
            zero.blend(FloatVector.fromArray(FS, g, i), xv.compare(VectorOperators.GT, 0f)).intoArray(out, o);
        }
        for (; i < to; i++, o++) out[o] = x[i] > 0 ? g[i] : 0f;
    }

    @Override
    public void reluBackward(double[] x, double[] g, int from, int to, double[] out, int outFrom) {
        DoubleVector zero = DoubleVector.zero(DS);
        int i = from, o = outFrom;
        for (; i + DL <= to; i += DL, o += DL) {
            DoubleVector xv = DoubleVector.fromArray(DS, x, i);
            zero.blend(DoubleVector.fromArray(DS, g, i), xv.compare(VectorOperators.GT, 0.0)).intoArray(out, o);
        }
        for (; i < to; i++, o++) out[o] = x[i] > 0 ? g[i] : 0.0;
    }

    @Override
    public boolean allFinite(float[] a, int from, int to) {
        // NaN·0 and Inf·0 are NaN, finite·0 is 0: four vector sums of v·0
        FloatVector s0 = FloatVector.zero(FS), s1 = s0, s2 = s0, s3 = s0;
        int i = from;
        for (; i + 4 * FL <= to; i += 4 * FL) {
            s0 = s0.add(FloatVector.fromArray(FS, a, i).mul(0f));
            s1 = s1.add(FloatVector.fromArray(FS, a, i + FL).mul(0f));
            s2 = s2.add(FloatVector.fromArray(FS, a, i + 2 * FL).mul(0f));
            s3 = s3.add(FloatVector.fromArray(FS, a, i + 3 * FL).mul(0f));
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) s += a[i] * 0f;
        return s == 0f;
    }

    @Override
    public boolean allFinite(double[] a, int from, int to) {
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, s2 = s0, s3 = s0;
        int i = from;
        for (; i + 4 * DL <= to; i += 4 * DL) {
            s0 = s0.add(DoubleVector.fromArray(DS, a, i).mul(0.0));
            s1 = s1.add(DoubleVector.fromArray(DS, a, i + DL).mul(0.0));
            s2 = s2.add(DoubleVector.fromArray(DS, a, i + 2 * DL).mul(0.0));
            s3 = s3.add(DoubleVector.fromArray(DS, a, i + 3 * DL).mul(0.0));
        }
        double s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) s += a[i] * 0.0;
        return s == 0.0;
    }

    @Override
    public double squaredDistance(float[] a, float[] b, int n) {
        // each float vector's two halves widened to double before the subtraction (exact), one sum each
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0;
        int i = 0;
        for (; i + FL <= n; i += FL) {
            FloatVector x = FloatVector.fromArray(FS, a, i), y = FloatVector.fromArray(FS, b, i);
            DoubleVector d0 = ((DoubleVector) x.convertShape(VectorOperators.F2D, DS, 0)).sub((DoubleVector) y.convertShape(VectorOperators.F2D, DS, 0));
            DoubleVector d1 = ((DoubleVector) x.convertShape(VectorOperators.F2D, DS, 1)).sub((DoubleVector) y.convertShape(VectorOperators.F2D, DS, 1));
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double d = a[i] - (double) b[i];
            s += d * d;
        }
        return s;
    }

    @Override
    public double squaredDistance(double[] a, double[] b, int n) {
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0;
        int i = 0;
        for (; i + 2 * DL <= n; i += 2 * DL) {
            DoubleVector d0 = DoubleVector.fromArray(DS, a, i).sub(DoubleVector.fromArray(DS, b, i));
            DoubleVector d1 = DoubleVector.fromArray(DS, a, i + DL).sub(DoubleVector.fromArray(DS, b, i + DL));
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    @Override
    public void maxInto(float[] acc, int accOff, float[] a, int aOff, int n) {
        int i = 0;
        for (; i + FL <= n; i += FL) FloatVector.fromArray(FS, acc, accOff + i).max(FloatVector.fromArray(FS, a, aOff + i)).intoArray(acc, accOff + i);
        for (; i < n; i++) acc[accOff + i] = Math.max(acc[accOff + i], a[aOff + i]);
    }

    @Override
    public void maxInto(double[] acc, int accOff, double[] a, int aOff, int n) {
        int i = 0;
        for (; i + DL <= n; i += DL) DoubleVector.fromArray(DS, acc, accOff + i).max(DoubleVector.fromArray(DS, a, aOff + i)).intoArray(acc, accOff + i);
        for (; i < n; i++) acc[accOff + i] = Math.max(acc[accOff + i], a[aOff + i]);
    }

    // ---------------------------------------------------------------- statistics

    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    /** Offsets of one count array per lane: lanes of one vector never increment the same counter. */
    private static final int[] LANE_BASE = new int[FL];
    private static final ThreadLocal<int[]> COUNTS = ThreadLocal.withInitial(() -> new int[FL * SUMMARY_SLOTS]);

    /** Values below which {@link #summarize} runs the scalar loop. */
    static final int SUMMARIZE_MIN = 1 << 14;

    static {
        for (int j = 0; j < FL; j++) LANE_BASE[j] = j * SUMMARY_SLOTS;
    }

    @Override
    public void summarize(float[] a, int from, int to, float shift, boolean positives, long[] byExp, double[] sums) {
        // short ranges (biases, small layers) in scalar code: their setup costs more than the loop, and
        // called for them too, the vector loop was compiled into code that ran 4.5 ns a value on the large
        // ranges instead of 0.8 (measured)
        if (to - from < SUMMARIZE_MIN || IS.length() != 8 || FL != 8 || DL != 4) {
            super.summarize(a, from, to, shift, positives, byExp, sums);
            return;
        }
        // the lanes' count arrays: one set per thread, cleared for each range (allocated anew, 16 KB a
        // range of 32K values came to 2 MB of fresh memory a recorded step at batch 64)
        int[] counts = COUNTS.get();
        Arrays.fill(counts, 0);
        // two loops, not one with a flag inside, with no helper methods taking or returning vectors (a
        // vector that crosses a call left out of line is boxed), and 8 values a turn: unrolled to 16, the
        // plain loop ran 4-10 ns a value inside training instead of 1.1 (measured)
        int done = positives ? summarizeWithPositives(a, from, to, shift, counts, sums) : summarize(a, from, to, shift, counts, sums);
        for (int j = 0; j < FL; j++) for (int k = 0; k < SUMMARY_SLOTS; k++) byExp[k] += counts[j * SUMMARY_SLOTS + k];
        if (done < to) super.summarize(a, done, to, shift, positives, byExp, sums);
    }

    /** The vector part of {@link #summarize}, 8 values a turn; returns where it stopped. */
    private static int summarize(float[] a, int from, int to, float shift, int[] counts, double[] sums) {
        IntVector laneBase = IntVector.fromArray(IS, LANE_BASE, 0);
        DoubleVector sh = DoubleVector.broadcast(DS, shift);
        // moments in double, the two halves of each vector widened
        DoubleVector s1a = DoubleVector.zero(DS), s1b = s1a, s2a = s1a, s2b = s1a;
        FloatVector mx = FloatVector.zero(FS);
        int i = from;
        for (; i + FL <= to; i += FL) {
            FloatVector v = FloatVector.fromArray(FS, a, i);
            // each lane counted in its lane's array at its sign-and-exponent slot (512 for zeros), the lanes
            // read straight from the register (a vector store read back lane by lane waits on the store)
            IntVector sv = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23)
                    .blend(512, v.reinterpretAsInts().lanewise(VectorOperators.LSHL, 1).eq(0)).add(laneBase);
            counts[sv.lane(0)]++;
            counts[sv.lane(1)]++;
            counts[sv.lane(2)]++;
            counts[sv.lane(3)]++;
            counts[sv.lane(4)]++;
            counts[sv.lane(5)]++;
            counts[sv.lane(6)]++;
            counts[sv.lane(7)]++;
            DoubleVector v0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0)).sub(sh);
            DoubleVector v1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1)).sub(sh);
            s1a = s1a.add(v0);
            s1b = s1b.add(v1);
            s2a = v0.fma(v0, s2a);
            s2b = v1.fma(v1, s2b);
            mx = mx.max(v.abs());
        }
        sums[0] += s1a.add(s1b).reduceLanes(VectorOperators.ADD);
        sums[1] += s2a.add(s2b).reduceLanes(VectorOperators.ADD);
        sums[2] = Math.max(sums[2], mx.reduceLanes(VectorOperators.MAX));
        return i;
    }

    /** As {@link #summarize(float[], int, int, float, int[], double[])}, with relu's output moments in sums[3..5]. */
    private static int summarizeWithPositives(float[] a, int from, int to, float shift, int[] counts, double[] sums) {
        IntVector laneBase = IntVector.fromArray(IS, LANE_BASE, 0);
        DoubleVector sh = DoubleVector.broadcast(DS, shift), none = DoubleVector.zero(DS);
        DoubleVector s1a = none, s1b = none, s2a = none, s2b = none, p1a = none, p1b = none, p2a = none, p2b = none;
        FloatVector mx = FloatVector.zero(FS), pm = mx;
        int i = from;
        for (; i + FL <= to; i += FL) {
            FloatVector v = FloatVector.fromArray(FS, a, i);
            IntVector sv = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23)
                    .blend(512, v.reinterpretAsInts().lanewise(VectorOperators.LSHL, 1).eq(0)).add(laneBase);
            counts[sv.lane(0)]++;
            counts[sv.lane(1)]++;
            counts[sv.lane(2)]++;
            counts[sv.lane(3)]++;
            counts[sv.lane(4)]++;
            counts[sv.lane(5)]++;
            counts[sv.lane(6)]++;
            counts[sv.lane(7)]++;
            // each half widened once: shifted for the moments of v, clamped at zero for relu's
            DoubleVector w0 = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0), w1 = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1);
            DoubleVector v0 = w0.sub(sh), v1 = w1.sub(sh), p0 = w0.max(none), q1 = w1.max(none);
            s1a = s1a.add(v0);
            s1b = s1b.add(v1);
            s2a = v0.fma(v0, s2a);
            s2b = v1.fma(v1, s2b);
            p1a = p1a.add(p0);
            p1b = p1b.add(q1);
            p2a = p0.fma(p0, p2a);
            p2b = q1.fma(q1, p2b);
            mx = mx.max(v.abs());
            pm = pm.max(v);
        }
        sums[0] += s1a.add(s1b).reduceLanes(VectorOperators.ADD);
        sums[1] += s2a.add(s2b).reduceLanes(VectorOperators.ADD);
        sums[2] = Math.max(sums[2], mx.reduceLanes(VectorOperators.MAX));
        sums[3] += p1a.add(p1b).reduceLanes(VectorOperators.ADD);
        sums[4] += p2a.add(p2b).reduceLanes(VectorOperators.ADD);
        sums[5] = Math.max(sums[5], pm.reduceLanes(VectorOperators.MAX));
        return i;
    }

    // ---------------------------------------------------------------- convolutions with a short shared dimension

    @Override
    public void shortProduct(int m, int p, int k, float[] w, float[] bias, float[] cols, int colsOff, int ld, float[] y, int yOff) {
        int pv = p / FL * FL, i = 0;
        // four output rows a turn: each vector of the unfolded block is read once for four multiply-adds
        for (; i + 3 < m; i += 4) {
            int y0 = yOff + i * p, w0 = i * k;
            float b0 = bias == null ? 0f : bias[i], b1 = bias == null ? 0f : bias[i + 1];
            float b2 = bias == null ? 0f : bias[i + 2], b3 = bias == null ? 0f : bias[i + 3];
            for (int j = 0; j < pv; j += FL) {
                FloatVector a0 = FloatVector.broadcast(FS, b0), a1 = FloatVector.broadcast(FS, b1);
                FloatVector a2 = FloatVector.broadcast(FS, b2), a3 = FloatVector.broadcast(FS, b3);
                for (int r = 0, src = colsOff + j; r < k; r++, src += ld) {
                    FloatVector cv = FloatVector.fromArray(FS, cols, src);
                    a0 = cv.fma(FloatVector.broadcast(FS, w[w0 + r]), a0);
                    a1 = cv.fma(FloatVector.broadcast(FS, w[w0 + k + r]), a1);
                    a2 = cv.fma(FloatVector.broadcast(FS, w[w0 + 2 * k + r]), a2);
                    a3 = cv.fma(FloatVector.broadcast(FS, w[w0 + 3 * k + r]), a3);
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
            for (int j = 0; j < pv; j += FL) {
                FloatVector a0 = FloatVector.broadcast(FS, b0);
                for (int r = 0, src = colsOff + j; r < k; r++, src += ld) {
                    a0 = FloatVector.fromArray(FS, cols, src).fma(FloatVector.broadcast(FS, w[w0 + r]), a0);
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

    @Override
    public void shortWeightGrad(int m, int p, int k, float[] g, int gOff, float[] cols, int colsOff, int ld, float[] gw, int gwOff, float[] gb, int gbOff) {
        int pv = p / FL * FL;
        for (int i = 0; i < m; i++) {
            int row = gOff + i * p, out = gwOff + i * k, r = 0;
            // four unfolded rows a turn against one row of g: each vector of g is read once for four multiply-adds
            for (; r + 3 < k; r += 4) {
                int s0 = colsOff + r * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
                for (int j = 0; j < pv; j += FL) {
                    FloatVector gv = FloatVector.fromArray(FS, g, row + j);
                    a0 = FloatVector.fromArray(FS, cols, s0 + j).fma(gv, a0);
                    a1 = FloatVector.fromArray(FS, cols, s1 + j).fma(gv, a1);
                    a2 = FloatVector.fromArray(FS, cols, s2 + j).fma(gv, a2);
                    a3 = FloatVector.fromArray(FS, cols, s3 + j).fma(gv, a3);
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
                FloatVector a0 = FloatVector.zero(FS);
                for (int j = 0; j < pv; j += FL) a0 = FloatVector.fromArray(FS, cols, s0 + j).fma(FloatVector.fromArray(FS, g, row + j), a0);
                float t0 = a0.reduceLanes(VectorOperators.ADD);
                for (int j = pv; j < p; j++) t0 = Math.fma(cols[s0 + j], g[row + j], t0);
                gw[out + r] = t0;
            }
            if (gb != null) {
                FloatVector a0 = FloatVector.zero(FS);
                for (int j = 0; j < pv; j += FL) a0 = a0.add(FloatVector.fromArray(FS, g, row + j));
                float t0 = a0.reduceLanes(VectorOperators.ADD);
                for (int j = pv; j < p; j++) t0 += g[row + j];
                gb[gbOff + i] = t0;
            }
        }
    }

    // ---------------------------------------------------------------- unfolding

    @Override
    public void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff, int ld) {
        if (stride != 1 || pad != 0 || ow < FL) {
            super.im2col(x, xOff, c, h, w, kh, kw, stride, pad, oh, ow, cols, colsOff, ld);
            return;
        }
        // rows of tens of values: whole vectors, each row's last one spilling into the start of the next
        // row, which is written right after; the last row of a block is copied exactly. Reads stay inside
        // the image (the row after each one read exists).
        int span = roundUp(ow, FL);
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * ld, src = xOff + (ch * h + ky) * w + kx;
                    for (int oy = 0; oy < oh - 1; oy++, src += w) {
                        int dst = row + oy * ow;
                        for (int j = 0; j < span; j += FL) FloatVector.fromArray(FS, x, src + j).intoArray(cols, dst + j);
                    }
                    System.arraycopy(x, src, cols, row + (oh - 1) * ow, ow);
                }
            }
        }
    }

    @Override
    public void col2im(float[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff) {
        if (stride != 1 || pad != 0 || ow < FL) {
            super.col2im(cols, colsOff, ld, c, h, w, kh, kw, stride, pad, oh, ow, dx, xOff);
            return;
        }
        // whole vectors per row, the lanes past the row's end adding zero (into the same image's next row;
        // the last row of a block, whose spill could reach another image, is added exactly)
        int span = roundUp(ow, FL), tail = span - FL;
        VectorMask<Float> inside = FS.indexInRange(tail, ow);
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * ld, dst = xOff + (ch * h + ky) * w + kx;
                    // even rows, then odd ones: a row's spill reaches into the next row, and a load of it
                    // right after the store would wait for the store (a partly overlapping load is not forwarded)
                    for (int first = 0; first < 2; first++) {
                        for (int oy = first; oy < oh - 1; oy += 2) {
                            int src = row + oy * ow, d = dst + oy * w;
                            for (int j = 0; j < tail; j += FL) {
                                FloatVector.fromArray(FS, dx, d + j).add(FloatVector.fromArray(FS, cols, src + j)).intoArray(dx, d + j);
                            }
                            FloatVector add = FloatVector.zero(FS).blend(FloatVector.fromArray(FS, cols, src + tail), inside);
                            FloatVector.fromArray(FS, dx, d + tail).add(add).intoArray(dx, d + tail);
                        }
                    }
                    dst += (oh - 1) * w;
                    int src = row + (oh - 1) * ow;
                    for (int ox = 0; ox < ow; ox++) dx[dst + ox] += cols[src + ox];
                }
            }
        }
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

    // ---------------------------------------------------------------- optimizers

    /** The high half of a float vector (lanes 4..7), for putting two halves converted from double together. */
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(FS, 0xF0L);

    @Override
    public void adam(float[] p, float[] g, double[] m, double[] v, int from, int to,
                     double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        if (FL != 8 || DL != 4) {
            super.adam(p, g, m, v, from, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
            return;
        }
        // eight elements a turn, each half widened to float64, each operation as the scalar loop does it in
        // the same order (no fused multiply-add): the same bits, ~4x faster (a square root and two divisions
        // an element). Only the species the other kernels use: with 128-bit float vectors here, training
        // ran 2-3x slower for the rest of the JVM once this kernel had run on both float32 and float64
        // weights (ZooTest after OptimizerGoldenTest: 17 s instead of 6; with C2's compile log on, not)
        double keep1 = 1 - beta1, keep2 = 1 - beta2;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            FloatVector pv = FloatVector.fromArray(FS, p, i), gv = FloatVector.fromArray(FS, g, i);
            DoubleVector p0 = ((DoubleVector) pv.convertShape(VectorOperators.F2D, DS, 0)).mul(decay);
            DoubleVector g0 = (DoubleVector) gv.convertShape(VectorOperators.F2D, DS, 0);
            if (wd != 0) g0 = g0.add(p0.mul(wd));
            DoubleVector m0 = DoubleVector.fromArray(DS, m, i);
            m0 = m0.add(g0.sub(m0).mul(keep1));
            m0.intoArray(m, i);
            DoubleVector v0 = DoubleVector.fromArray(DS, v, i).mul(beta2).add(g0.mul(keep2).mul(g0));
            v0.intoArray(v, i);
            DoubleVector n0 = p0.sub(m0.mul(stepSize).div(v0.sqrt().div(bc2Sqrt).add(eps)));
            DoubleVector p1 = ((DoubleVector) pv.convertShape(VectorOperators.F2D, DS, 1)).mul(decay);
            DoubleVector g1 = (DoubleVector) gv.convertShape(VectorOperators.F2D, DS, 1);
            if (wd != 0) g1 = g1.add(p1.mul(wd));
            DoubleVector m1 = DoubleVector.fromArray(DS, m, i + 4);
            m1 = m1.add(g1.sub(m1).mul(keep1));
            m1.intoArray(m, i + 4);
            DoubleVector v1 = DoubleVector.fromArray(DS, v, i + 4).mul(beta2).add(g1.mul(keep2).mul(g1));
            v1.intoArray(v, i + 4);
            DoubleVector n1 = p1.sub(m1.mul(stepSize).div(v1.sqrt().div(bc2Sqrt).add(eps)));
            FloatVector lo = (FloatVector) n0.convertShape(VectorOperators.D2F, FS, 0), hi = (FloatVector) n1.convertShape(VectorOperators.D2F, FS, -1);
            lo.blend(hi, HIGH_HALF).intoArray(p, i);
        }
        super.adam(p, g, m, v, i, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
    }

    @Override
    public void rmsProp(float[] p, float[] g, double[] v, double[] mean, double[] buf, int from, int to,
                        double wd, double alpha, double eps, double momentum, double lr) {
        if (FL != 8 || DL != 4) {
            super.rmsProp(p, g, v, mean, buf, from, to, wd, alpha, eps, momentum, lr);
            return;
        }
        // as adam(): eight elements a turn, each half widened, the scalar loop's operations in its order
        double keep = 1 - alpha;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            FloatVector pv = FloatVector.fromArray(FS, p, i), gv = FloatVector.fromArray(FS, g, i);
            DoubleVector p0 = (DoubleVector) pv.convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector g0 = (DoubleVector) gv.convertShape(VectorOperators.F2D, DS, 0);
            if (wd != 0) g0 = g0.add(p0.mul(wd));
            DoubleVector v0 = DoubleVector.fromArray(DS, v, i).mul(alpha).add(g0.mul(keep).mul(g0));
            v0.intoArray(v, i);
            DoubleVector d0;
            if (mean != null) {
                DoubleVector m0 = DoubleVector.fromArray(DS, mean, i);
                m0 = m0.add(g0.sub(m0).mul(keep));
                m0.intoArray(mean, i);
                d0 = v0.sub(m0.mul(m0)).sqrt().add(eps);
            } else {
                d0 = v0.sqrt().add(eps);
            }
            DoubleVector n0;
            if (buf != null) {
                DoubleVector b0 = DoubleVector.fromArray(DS, buf, i).mul(momentum).add(g0.div(d0));
                b0.intoArray(buf, i);
                n0 = p0.sub(b0.mul(lr));
            } else {
                n0 = p0.sub(g0.mul(lr).div(d0));
            }
            DoubleVector p1 = (DoubleVector) pv.convertShape(VectorOperators.F2D, DS, 1);
            DoubleVector g1 = (DoubleVector) gv.convertShape(VectorOperators.F2D, DS, 1);
            if (wd != 0) g1 = g1.add(p1.mul(wd));
            DoubleVector v1 = DoubleVector.fromArray(DS, v, i + 4).mul(alpha).add(g1.mul(keep).mul(g1));
            v1.intoArray(v, i + 4);
            DoubleVector d1;
            if (mean != null) {
                DoubleVector m1 = DoubleVector.fromArray(DS, mean, i + 4);
                m1 = m1.add(g1.sub(m1).mul(keep));
                m1.intoArray(mean, i + 4);
                d1 = v1.sub(m1.mul(m1)).sqrt().add(eps);
            } else {
                d1 = v1.sqrt().add(eps);
            }
            DoubleVector n1;
            if (buf != null) {
                DoubleVector b1 = DoubleVector.fromArray(DS, buf, i + 4).mul(momentum).add(g1.div(d1));
                b1.intoArray(buf, i + 4);
                n1 = p1.sub(b1.mul(lr));
            } else {
                n1 = p1.sub(g1.mul(lr).div(d1));
            }
            FloatVector lo = (FloatVector) n0.convertShape(VectorOperators.D2F, FS, 0), hi = (FloatVector) n1.convertShape(VectorOperators.D2F, FS, -1);
            lo.blend(hi, HIGH_HALF).intoArray(p, i);
        }
        super.rmsProp(p, g, v, mean, buf, i, to, wd, alpha, eps, momentum, lr);
    }
}
