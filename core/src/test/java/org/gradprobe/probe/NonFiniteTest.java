package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Node;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Layer;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Trainer;
import org.junit.jupiter.api.Test;

/** A NaN or Inf injected anywhere is reported at the node that produced it, in the right pass. */
class NonFiniteTest {
    /** An identity layer that, from step {@code at} on, poisons its forward output or the gradient it passes back. */
    static final class Poison extends Layer {
        final String pass;
        final long at;
        long calls;

        Poison(String name, int[] shape, String pass, long at) {
            super(name, "poison", shape, shape);
            this.pass = pass;
            this.at = at;
        }

        @Override
        public Tensor forward(Tensor x, ForwardContext ctx) {
            boolean now = ++calls >= at;
            Tensor y = x.detach().copy();
            if (now && pass.equals("forward")) y.set(1, Double.NaN);
            Tensor out = Node.record("poison_op", y, g -> {
                Tensor gx = g.copy();
                if (now && pass.equals("backward")) gx.set(0, Double.POSITIVE_INFINITY);
                return new Tensor[] {gx};
            }, x);
            return emit(out, ctx);
        }

        @Override
        public String describe() {
            return "poison";
        }
    }

    static List<Layer> layers(String spec, int[] in, String poisonAfter, String pass, long at) {
        Model m = ModelSpec.build(spec, in, DType.FLOAT32, Init.pytorchDefault(), 1);
        List<Layer> out = new ArrayList<>();
        for (Layer l : m.layers()) {
            out.add(l);
            if (l.name().equals(poisonAfter)) out.add(new Poison("poison", l.outShape(), pass, at));
        }
        return out;
    }

    static Probe train(Model model, int steps, Tensor input) {
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withBatchSize(8).withEvalBatch(64));
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(1));
        SplittableRandom r = new SplittableRandom(3);
        int[] t = new int[input.dim(0)];
        for (int s = 0; s < steps && !probe.stopped(); s++) trainer.step(input, t, r);
        return probe;
    }

    static Tensor batch(int... shape) {
        return Tensor.randn(DType.FLOAT32, new SplittableRandom(2), 1, shape);
    }

    @Test
    void aForwardNaNIsReportedAtTheLayerThatMadeItNotTheOnesAfter() {
        List<Layer> ls = layers("flatten linear(16) relu linear(16) tanh linear(10)", new int[] {12}, "2", "forward", 3);
        Model m = Model.sequential(new int[] {12}, DType.FLOAT32, ls);
        Probe p = train(m, 10, batch(8, 12));
        NonFiniteEvent e = p.firstNonFinite();
        assertNotNull(e);
        assertEquals("poison", e.node());
        assertEquals("poison_op", e.op());
        assertEquals("forward", e.pass());
        assertEquals(3, e.step());
        assertTrue(p.stopped(), "stops by default");
        assertTrue(p.verdicts().stream().anyMatch(v -> v.name().equals("poison") && v.verdicts().contains(Verdict.NONFINITE)));
    }

    /** Every place in the seed CNN, in both passes: the poison is named, not a layer it reached after. */
    @org.junit.jupiter.params.ParameterizedTest(name = "after {0}, {1}")
    @org.junit.jupiter.params.provider.CsvSource({"conv1,forward", "1,forward", "2,forward", "conv2,forward", "4,forward", "5,forward",
        "6,forward", "fc1,forward", "8,forward", "fc2,forward", "conv1,backward", "1,backward", "2,backward", "conv2,backward",
        "4,backward", "5,backward", "6,backward", "fc1,backward", "8,backward", "fc2,backward"})
    void anywhereInTheSeedCnn(String after, String pass) {
        List<Layer> ls = layers("seed-cnn", new int[] {1, 28, 28}, after, pass, 2);
        Model m = Model.sequential(new int[] {1, 28, 28}, DType.FLOAT32, ls);
        Probe p = train(m, 4, batch(2, 1, 28, 28));
        NonFiniteEvent e = p.firstNonFinite();
        assertNotNull(e, "after " + after + ", " + pass);
        assertEquals("poison", e.node());
        assertEquals(pass, e.pass());
        assertEquals(2, e.step());
        assertTrue(p.stopped());
    }

    @Test
    void aBackwardInfIsReportedAtTheRuleThatMadeIt() {
        List<Layer> ls = layers("flatten linear(16) relu linear(16) tanh linear(10)", new int[] {12}, "3", "backward", 2);
        Model m = Model.sequential(new int[] {12}, DType.FLOAT32, ls);
        NonFiniteEvent e = train(m, 10, batch(8, 12)).firstNonFinite();
        assertNotNull(e);
        assertEquals("poison", e.node());
        assertEquals("backward", e.pass());
        assertEquals(2, e.step());
    }

    @Test
    void aNaNInTheInputIsReportedAsTheInput() {
        Model m = ModelSpec.build("flatten linear(10)", new int[] {6}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Tensor x = batch(4, 6);
        x.set(7, Double.NaN);
        NonFiniteEvent e = train(m, 3, x).firstNonFinite();
        assertEquals("input", e.node());
        assertEquals("forward", e.pass());
        assertEquals(1, e.step());
    }

    @Test
    void aNaNWeightIsReportedAsThatParameter() {
        Model m = ModelSpec.build("conv2d(4,3) relu flatten fc=linear(10)", new int[] {1, 6, 6}, DType.FLOAT32, Init.pytorchDefault(), 1);
        m.parameters().get("fc.weight").set(5, Double.NaN);
        NonFiniteEvent e = train(m, 3, batch(4, 1, 6, 6)).firstNonFinite();
        assertEquals("fc.weight", e.node());
    }

    @Test
    void anOverflowingUpdateIsReportedInTheUpdatePass() {
        // float32 weights, finite gradients, and a step so large that w − lr·g leaves the float range
        Model m = ModelSpec.build("flatten fc=linear(10)", new int[] {6}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Trainer trainer = new Trainer(m, new Sgd(m.parameters(), 1e300, 0), Trainer.Settings.defaults().withEvalBatch(64));
        Probe p = Probe.attach(trainer, ProbeConfig.defaults());
        trainer.step(batch(4, 6), new int[] {0, 1, 2, 3}, new SplittableRandom(1));
        NonFiniteEvent e = p.firstNonFinite();
        assertNotNull(e);
        assertEquals("update", e.pass());
        assertEquals(1, e.step());
        assertTrue(e.node().equals("fc.weight") || e.node().equals("fc.bias"), e.node());
        assertTrue(p.stopped());
    }

    @Test
    void anInfThatAReluHidesFromTheLossIsReportedWhereItWasMade() {
        // fc1's output overflows to -Inf, relu turns it into zeros: the loss and every gradient stay
        // finite, so only a recorded step's statistics see it (step 1 is recorded at any interval)
        Model m = ModelSpec.build("flatten fc1=linear(4) relu fc2=linear(3)", new int[] {12}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Tensor w = m.parameters().get("fc1.weight");
        for (int i = 0; i < w.numel(); i++) w.set(i, -1e38);
        Trainer trainer = new Trainer(m, new Sgd(m.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withEvalBatch(64));
        Probe p = Probe.attach(trainer, ProbeConfig.defaults());
        trainer.step(Tensor.full(DType.FLOAT32, 1.0, 4, 12), new int[] {0, 1, 2, 0}, new SplittableRandom(1));
        assertTrue(Double.isFinite(p.lossAt(1)), "the loss is finite");
        for (Tensor t : m.parameters().values()) assertTrue(Stats.allFinite(t.grad()), "the gradients are finite");
        NonFiniteEvent e = p.firstNonFinite();
        assertNotNull(e);
        assertEquals("fc1", e.node());
        assertEquals("forward", e.pass());
        assertEquals(1, e.step());
        assertTrue(e.inputs().stream().allMatch(s -> s == null || s.allFinite()), "its inputs were finite");
        assertTrue(p.stopped());

        // skipping is for poisoned updates: this one is finite, so it is applied and the step recorded
        Model m2 = ModelSpec.build("flatten fc1=linear(4) relu fc2=linear(3)", new int[] {12}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Tensor w2 = m2.parameters().get("fc1.weight");
        for (int i = 0; i < w2.numel(); i++) w2.set(i, -1e38);
        Tensor before = m2.parameters().get("fc2.bias").copy();
        Trainer t2 = new Trainer(m2, new Sgd(m2.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withEvalBatch(64));
        Probe p2 = Probe.attach(t2, ProbeConfig.defaults()).onNonFinite(Probe.OnNonFinite.SKIP);
        t2.step(Tensor.full(DType.FLOAT32, 1.0, 4, 12), new int[] {0, 1, 2, 0}, new SplittableRandom(1));
        assertEquals("fc1", p2.firstNonFinite().node());
        assertTrue(!p2.stopped());
        assertTrue(m2.parameters().get("fc2.bias").get(0) != before.get(0), "the update was applied");
        assertEquals(1, p2.nodes().get("fc1").records().size(), "the step was recorded");
        assertTrue(p2.nodes().get("fc1").latest().value().infs() > 0, "with fc1's Infs counted");
    }

    @Test
    void skipPolicyKeepsTrainingWithoutApplyingPoisonedUpdates() {
        List<Layer> ls = layers("flatten linear(16) relu linear(10)", new int[] {12}, "1", "backward", 4);
        Model m = Model.sequential(new int[] {12}, DType.FLOAT32, ls);
        Trainer trainer = new Trainer(m, new Sgd(m.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withBatchSize(8).withEvalBatch(64));
        Probe p = Probe.attach(trainer, ProbeConfig.defaults()).onNonFinite(Probe.OnNonFinite.SKIP);
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = batch(8, 12);
        for (int s = 0; s < 8; s++) trainer.step(x, new int[8], r);
        assertEquals(8, p.steps());
        for (Tensor w : m.parameters().values()) assertTrue(Stats.allFinite(w), "weights stay finite");
        assertNotNull(p.firstNonFinite());
    }

    @Test
    void aNaNGradientIsCaughtBeforeTheUpdateWhenBackwardRanWithoutTheProbesListener() {
        // a loop of one's own that runs backward without the probe's listener (or asks for it and does not
        // pass it on): the probe reads the gradients from the parameters instead
        for (boolean askedForListener : new boolean[] {false, true}) {
            Model m = ModelSpec.build("flatten linear(16) relu linear(10)", new int[] {12}, DType.FLOAT32, Init.pytorchDefault(), 1);
            Sgd sgd = new Sgd(m.parameters(), 0.01, 0.9);
            Probe p = new Probe(m, sgd, ProbeConfig.defaults());
            Tensor x = batch(8, 12);
            for (long step = 1; step <= 3; step++) {
                sgd.zeroGrad();
                Tensor loss = org.gradprobe.ops.F.crossEntropy(m.forward(x, new ForwardContext(true, new SplittableRandom(1), p.forwardObserver(step))), new int[8]);
                if (askedForListener) p.backwardListener(step);
                org.gradprobe.autograd.Backward.backward(loss);
                if (step == 3) m.parameters().get("1.weight").grad().set(5, Double.NaN);
                boolean apply = p.afterBackward(step, x, org.gradprobe.ops.Targets.classes(new int[8]), loss.item());
                assertEquals(step < 3, apply, "step " + step + (askedForListener ? ", listener asked for" : ""));
                if (apply) {
                    sgd.step();
                    p.afterUpdate(step);
                }
            }
            assertNotNull(p.firstNonFinite());
            for (Tensor w : m.parameters().values()) assertTrue(Stats.allFinite(w), "weights stay finite");
        }
    }

    @Test
    void aHealthyRunReportsNothing() {
        Model m = ModelSpec.build("flatten linear(16) relu linear(10)", new int[] {12}, DType.FLOAT32, Init.pytorchDefault(), 1);
        assertNull(train(m, 5, batch(8, 12)).firstNonFinite());
    }
}
