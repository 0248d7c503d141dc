package org.gradprobe.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam and RMSprop on the Vector API for float32 weights (their state is float64): each float vector's
 * halves widened, every operation as {@link OptimizerRules} does it, in its order, so the bits are the
 * loops'. float64 weights take {@link ElementwiseF64}'s loops.
 */
final class VectorOptimizersF32 {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int FL = FS.length(), DL = DS.length();

    private VectorOptimizersF32() {}

    /** The high half of a float vector (lanes 4..7), for putting two halves converted from double together. */
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(FS, 0xF0L);

    static void adam(float[] p, float[] g, double[] m, double[] v, int from, int to,
                     double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        if (FL != 8 || DL != 4) {
            ElementwiseF32.adam(p, g, m, v, from, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
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
        ElementwiseF32.adam(p, g, m, v, i, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
    }

    static void rmsProp(float[] p, float[] g, double[] v, double[] mean, double[] buf, int from, int to,
                        double wd, double alpha, double eps, double momentum, double lr) {
        if (FL != 8 || DL != 4) {
            ElementwiseF32.rmsProp(p, g, v, mean, buf, from, to, wd, alpha, eps, momentum, lr);
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
        ElementwiseF32.rmsProp(p, g, v, mean, buf, i, to, wd, alpha, eps, momentum, lr);
    }
}
