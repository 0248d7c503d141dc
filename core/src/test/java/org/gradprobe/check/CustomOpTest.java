package org.gradprobe.check;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradprobe.autograd.Node;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The README's custom-op example, verbatim: a user's op and the one call that checks it. */
class CustomOpTest {
    // y = x³, elementwise: forward and backward side by side, recorded on the graph
    static Tensor cube(Tensor x) {
        Tensor y = Tensor.zerosLike(x);
        for (int i = 0; i < x.numel(); i++) y.set(i, Math.pow(x.get(i), 3));
        return Node.record("cube", y, g -> {
            Tensor gx = Tensor.zerosLike(x);
            for (int i = 0; i < x.numel(); i++) gx.set(i, g.get(i) * 3 * x.get(i) * x.get(i));
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor cubeWithABug(Tensor x) {
        Tensor y = Tensor.zerosLike(x);
        for (int i = 0; i < x.numel(); i++) y.set(i, Math.pow(x.get(i), 3));
        return Node.record("cube", y, g -> {
            Tensor gx = Tensor.zerosLike(x);
            for (int i = 0; i < x.numel(); i++) gx.set(i, g.get(i) * 2 * x.get(i) * x.get(i));   // wrong factor
            return new Tensor[] {gx};
        }, x);
    }

    @Test
    void aCustomOpIsCheckedInOneCall() {
        Tensor x = Tensor.randn(DType.FLOAT64, new SplittableRandom(0), 1, 4, 5).requiresGrad(true);
        CheckResult r = GradCheck.check("cube", in -> cube(in[0]), new Tensor[] {x}, new String[] {"x"},
                CheckOptions.of(CheckOptions.Mode.FULL, DType.FLOAT64, 0));
        assertTrue(r.passed(), r.report());
        CheckResult bad = GradCheck.check("cube", in -> cubeWithABug(in[0]), new Tensor[] {x}, new String[] {"x"},
                CheckOptions.of(CheckOptions.Mode.FULL, DType.FLOAT64, 0));
        assertFalse(bad.passed());
        assertTrue(bad.report().contains("analytic") && bad.report().contains("numeric"), bad.report());
    }
}
