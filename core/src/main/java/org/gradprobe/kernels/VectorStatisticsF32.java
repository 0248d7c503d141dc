package org.gradprobe.kernels;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The probe's statistics passes on the Vector API, float32 only: each float vector's halves widened to
 * double for the sums, its lanes' exponent bits counted straight from the register. float64 takes
 * {@link StatisticsF64}'s loops (its passes are for checking, not speed).
 */
final class VectorStatisticsF32 {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int FL = FS.length(), DL = DS.length();

    private VectorStatisticsF32() {}

    /**
     * acc[j] += a[off + j] for j < n, in double, as {@link ElementwiseF32#accumulate} (the same bits: each
     * element is widened exactly and added to its own column's sum): the column sums of a bias gradient.
     */
    static void accumulate(float[] a, int off, double[] acc, int n) {
        int j = 0;
        for (; j + FL <= n; j += FL) {
            FloatVector x = FloatVector.fromArray(FS, a, off + j);
            DoubleVector.fromArray(DS, acc, j).add((DoubleVector) x.convertShape(VectorOperators.F2D, DS, 0)).intoArray(acc, j);
            DoubleVector.fromArray(DS, acc, j + DL).add((DoubleVector) x.convertShape(VectorOperators.F2D, DS, 1)).intoArray(acc, j + DL);
        }
        for (; j < n; j++) acc[j] += a[off + j];
    }

    static double squaredDistance(float[] a, float[] b, int n) {
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

    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    /** Offsets of one count array per lane: lanes of one vector never increment the same counter. */
    private static final int[] LANE_BASE = new int[FL];
    private static final ThreadLocal<int[]> COUNTS = ThreadLocal.withInitial(() -> new int[FL * Summary.SLOTS]);

    /** Values below which {@link #summarize} runs the scalar loop. */
    static final int SUMMARIZE_MIN = 1 << 14;

    static {
        for (int j = 0; j < FL; j++) LANE_BASE[j] = j * Summary.SLOTS;
    }

    static void summarize(float[] a, int from, int to, double shift, boolean positives, Summary out) {
        // short ranges (biases, small layers) in scalar code: their setup costs more than the loop, and
        // called for them too, the vector loop was compiled into code that ran 4.5 ns a value on the large
        // ranges instead of 0.8 (measured)
        if (to - from < SUMMARIZE_MIN || IS.length() != 8 || FL != 8 || DL != 4) {
            StatisticsF32.summarize(a, from, to, shift, positives, out);
            return;
        }
        // the lanes' count arrays: one set per thread, cleared for each range (allocated anew, 16 KB a
        // range of 32K values came to 2 MB of fresh memory a recorded step at batch 64)
        int[] counts = COUNTS.get();
        Arrays.fill(counts, 0);
        // two loops, not one with a flag inside, with no helper methods taking or returning vectors (a
        // vector that crosses a call left out of line is boxed), and 8 values a turn: unrolled to 16, the
        // plain loop ran 4-10 ns a value inside training instead of 1.1 (measured)
        int done = positives ? summarizeWithPositives(a, from, to, shift, counts, out) : summarize(a, from, to, shift, counts, out);
        for (int j = 0; j < FL; j++) for (int k = 0; k < Summary.SLOTS; k++) out.counts[k] += counts[j * Summary.SLOTS + k];
        if (done < to) StatisticsF32.summarize(a, done, to, shift, positives, out);
    }

    /** The vector part of {@link #summarize}, 8 values a turn; returns where it stopped. */
    private static int summarize(float[] a, int from, int to, double shift, int[] counts, Summary out) {
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
        out.sum += s1a.add(s1b).reduceLanes(VectorOperators.ADD);
        out.sumSquares += s2a.add(s2b).reduceLanes(VectorOperators.ADD);
        out.maxAbs = Math.max(out.maxAbs, mx.reduceLanes(VectorOperators.MAX));
        return i;
    }

    /** As {@link #summarize(float[], int, int, double, int[], Summary)}, with relu's output moments. */
    private static int summarizeWithPositives(float[] a, int from, int to, double shift, int[] counts, Summary out) {
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
        out.sum += s1a.add(s1b).reduceLanes(VectorOperators.ADD);
        out.sumSquares += s2a.add(s2b).reduceLanes(VectorOperators.ADD);
        out.maxAbs = Math.max(out.maxAbs, mx.reduceLanes(VectorOperators.MAX));
        out.reluSum += p1a.add(p1b).reduceLanes(VectorOperators.ADD);
        out.reluSumSquares += p2a.add(p2b).reduceLanes(VectorOperators.ADD);
        out.reluMax = Math.max(out.reluMax, pm.reduceLanes(VectorOperators.MAX));
        return i;
    }
}
