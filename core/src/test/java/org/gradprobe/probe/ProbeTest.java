package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.Synthetic;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.F;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Trainer;
import org.gradprobe.train.TrainingListener;
import org.junit.jupiter.api.Test;

/** The probe collects a recorded step's statistics one step later; nothing is lost or mixed up by that. */
class ProbeTest {
    private static final String SPEC = "conv2d(4,3) relu maxpool2d(2) flatten linear(16) tanh linear(10)";

    private static Trainer trainer(Model m) {
        return new Trainer(m, new Sgd(m.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withBatchSize(8).withEvalBatch(64));
    }

    @Test
    void everyRecordedStepReachesTheHistoriesAndTheListenersInOrderWithItsOwnLoss() {
        Model m = ModelSpec.build(SPEC, new int[] {1, 8, 8}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Trainer trainer = trainer(m);
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(2));
        List<Long> seen = new ArrayList<>();
        List<Double> lossesSeen = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void onRecord(long step) {
                seen.add(step);
                lossesSeen.add(probe.lossAt(step));
            }
        });
        SplittableRandom r = new SplittableRandom(3);
        List<Double> losses = new ArrayList<>();
        for (int s = 0; s < 7; s++) {
            Tensor x = Tensor.randn(DType.FLOAT32, new SplittableRandom(10 + s), 1, 8, 1, 8, 8);
            losses.add(trainer.step(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, r));
        }
        // steps 1, 3, 5 collected by the time the next was recorded; step 7 at its update if the probe's
        // thread had its parameters' statistics ready, else once the histories are read
        assertEquals(List.of(1L, 3L, 5L), seen.subList(0, 3));
        assertTrue(seen.size() <= 4, "seen " + seen);
        NodeHistory conv = probe.nodes().get("0");
        assertNotNull(conv, "node names: " + probe.nodes().keySet());
        assertEquals(List.of(1L, 3L, 5L, 7L), seen);
        for (int i = 0; i < seen.size(); i++) assertEquals(losses.get((int) (seen.get(i) - 1)), lossesSeen.get(i), 0.0, "loss of step " + seen.get(i));
        for (NodeHistory h : probe.nodes().values()) {
            List<Long> steps = new ArrayList<>();
            for (StepRecord rec : h.records()) steps.add(rec.toStep());
            assertEquals(List.of(1L, 3L, 5L, 7L), steps, h.name());
            for (StepRecord rec : h.records()) assertEquals(h.kind() == NodeHistory.Kind.PARAMETER ? m.parameters().get(h.name()).numel() : 8L * Shapes.numel(h.shape()), rec.value().count(), h.name());
        }
    }

    @Test
    void updateNormsAreTheStepsThemselves() {
        // the weights before and after each recorded step's update, taken here, against what the probe
        // recorded from its one reused copy; float32 (the differences are of rounded floats) and float64,
        // with momentum so the steps differ from lr times the gradient
        for (DType dtype : DType.values()) {
            Model m = ModelSpec.build(SPEC, new int[] {1, 8, 8}, dtype, Init.pytorchDefault(), 4);
            Trainer trainer = new Trainer(m, new Sgd(m.parameters(), 0.05, 0.9), Trainer.Settings.defaults().withBatchSize(8).withEvalBatch(64));
            Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(2));
            List<Map<String, Double>> want = new ArrayList<>();
            for (int s = 0; s < 5; s++) {
                Map<String, Tensor> before = new LinkedHashMap<>();
                m.parameters().forEach((name, p) -> before.put(name, p.copy()));
                Tensor x = Tensor.randn(dtype, new SplittableRandom(60 + s), 1, 8, 1, 8, 8);
                trainer.step(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, new SplittableRandom(s));
                if (s % 2 != 0) continue;    // recorded: steps 1, 3, 5
                Map<String, Double> norms = new LinkedHashMap<>();
                m.parameters().forEach((name, p) -> {
                    double sq = 0;
                    for (int i = 0; i < p.numel(); i++) sq += (p.get(i) - before.get(name).get(i)) * (p.get(i) - before.get(name).get(i));
                    norms.put(name, Math.sqrt(sq));
                });
                want.add(norms);
            }
            for (String name : m.parameters().keySet()) {
                List<StepRecord> got = probe.nodes().get(name).records();
                assertEquals(3, got.size(), name);
                for (int i = 0; i < 3; i++) {
                    double w = want.get(i).get(name);
                    assertTrue(w > 0, dtype + " " + name + " moved");
                    assertEquals(w, got.get(i).updateNorm(), 1e-12 * w, dtype + " " + name + " record " + i);
                }
            }
        }
    }

    @Test
    void deadFractionsAtAnIntervalCountTheUnitsNoRecordedBatchActivated() {
        // lr 0: the weights stay as built, so each recorded batch's relu output can be recomputed here;
        // biases at -1 leave some of the 8,192 units (8 channels × 32 × 32) active on no sample of a
        // batch. The first relu's units are read in the pass over its input (pieces of 4 samples, on
        // any thread), the second's (its input already summarized) from its own output.
        int units = 8 * 32 * 32;
        Model m = ModelSpec.build("conv2d(8,3) relu relu flatten linear(10)", new int[] {1, 34, 34}, DType.FLOAT32, Init.pytorchDefault(), 2);
        m.parameters().get("0.bias").fill(-1.0);
        Trainer trainer = new Trainer(m, new Sgd(m.parameters(), 0.0, 0.0), Trainer.Settings.defaults().withBatchSize(8).withEvalBatch(64));
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(2));
        boolean[] everActive = new boolean[units];
        List<Double> want = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            Tensor x = Tensor.randn(DType.FLOAT32, new SplittableRandom(40 + s), 1, 8, 1, 34, 34);
            if (s % 2 == 0) {    // recorded: steps 1, 3, 5
                List<Tensor> outs = new ArrayList<>();
                m.forward(x, new ForwardContext(false, new SplittableRandom(1), (name, layer, out) -> { if (name.equals("1")) outs.add(out); }));
                Tensor r = outs.get(0);
                for (int b = 0; b < 8; b++) for (int u = 0; u < units; u++) everActive[u] |= r.get(b * units + u) > 0;
                int dead = 0;
                for (boolean a : everActive) if (!a) dead++;
                want.add(dead / (double) units);
            }
            trainer.step(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, new SplittableRandom(s));
        }
        for (String relu : new String[] {"1", "2"}) {
            List<StepRecord> got = probe.nodes().get(relu).records();
            assertEquals(3, got.size());
            for (int i = 0; i < 3; i++) assertEquals(want.get(i), got.get(i).deadFraction(), 0.0, "relu " + relu + " record " + i);
        }
        assertTrue(want.get(2) > 0 && want.get(0) < 1, "some units dead, some not: " + want);
    }

    @Test
    void fitCollectsTheLastRecordedStepAtTheEnd() {
        Model m = ModelSpec.build(SPEC, new int[] {1, 8, 8}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Trainer trainer = trainer(m);
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(1));
        List<Long> seen = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void onRecord(long step) {
                seen.add(step);
            }
        });
        Dataset data = Synthetic.make(new int[] {1, 8, 8}, 40, 10, 5);
        trainer.fit(data, data);
        assertEquals(5, seen.size(), "40 images in batches of 8, every step recorded: " + seen);
        assertEquals(5L, seen.get(4));
    }

    @Test
    void aGradientRoutedByMaxPoolingHasTheStatisticsOfTheTensorItself() {
        // the relu outputs' gradients come from max pooling, and the convolutions' from relu after it: the
        // first two poolings' windows do not overlap, and the probe derives those from the pooled
        // gradient's statistics (gated by the pooled values for the convolutions); the third pooling's
        // windows overlap (window 3, stride 2), and those gradients are summarized as they are
        String spec = "conv2d(4,3) relu maxpool2d(2) conv2d(6,2) relu maxpool2d(3) conv2d(6,1) relu maxpool2d(3,stride=2) flatten linear(10)";
        int[] in = {1, 25, 25};
        int relus = assertEachGradientIsItsTensors(() -> ModelSpec.build(spec, in, DType.FLOAT32, Init.pytorchDefault(), 7),
                Tensor.randn(DType.FLOAT32, new SplittableRandom(4), 1, 8, 1, 25, 25));
        assertEquals(3, relus, "every relu output is fed back through max pooling");
    }

    @Test
    void aReluWhoseOutputIsShiftedBeforePoolingIsNotGatedByThePooledValues() {
        // relu, then + a fixed tensor, then max pooling: the sum passes the routed gradient to relu as it
        // is, but the pooled values are the sums, not relu's outputs, so they must not gate it
        int[] in = {1, 10, 10};
        java.util.function.Supplier<Model> build = () -> {
            Model base = ModelSpec.build("conv2d(4,3) relu maxpool2d(2) flatten linear(10)", in, DType.FLOAT32, Init.pytorchDefault(), 5);
            List<org.gradprobe.nn.Layer> ls = new ArrayList<>(base.layers());
            ls.add(2, new Shift("shift", ls.get(1).outShape()));
            return Model.sequential(in, DType.FLOAT32, ls);
        };
        assertEquals(1, assertEachGradientIsItsTensors(build, Tensor.randn(DType.FLOAT32, new SplittableRandom(4), 1, 8, 1, 10, 10)));
    }

    @Test
    void aReluOutputsValuesAreRecordedFromItsInputsPass() {
        // relu right after the layer it reads (derived from that layer's pass), relu after relu and after
        // a flatten (summarized as they are: the flatten shares the pooled storage), in float32 and float64
        String spec = "conv2d(4,3) relu relu maxpool2d(2) flatten relu linear(12) relu linear(10)";
        int[] in = {1, 12, 12};
        for (DType dt : DType.values()) {
            {
                Tensor x = Tensor.randn(dt, new SplittableRandom(4), 1, 8, 1, 12, 12);
                Model probed = ModelSpec.build(spec, in, dt, Init.pytorchDefault(), 7), plain = ModelSpec.build(spec, in, dt, Init.pytorchDefault(), 7);
                Trainer trainer = trainer(probed);
                Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(1));
                Map<String, Stats> direct = new java.util.HashMap<>();
                plain.forward(x, new ForwardContext(true, new SplittableRandom(1), (name, layer, out) -> direct.put(name, Stats.of(out))));
                int[] targets = new int[8];
                trainer.step(x, targets, new SplittableRandom(1));
                int relus = 0;
                for (NodeHistory h : probe.nodes().values()) {
                    if (h.kind() != NodeHistory.Kind.ACTIVATION) continue;
                    assertFalse(h.records().isEmpty(), h.name());
                    StatsTest.assertSame(direct.get(h.name()), h.latest().value(), dt + " " + h.name());
                    if (h.layerKind() == LayerKind.RELU) relus++;
                }
                assertEquals(4, relus);
            }
        }
    }

    /**
     * One probed step on a model from {@code build}, and the same step on another from it with every
     * layer output's gradient summarized directly: each activation's recorded gradient statistics must
     * equal the direct ones. Returns how many relu outputs were compared.
     */
    private static int assertEachGradientIsItsTensors(java.util.function.Supplier<Model> build, Tensor x) {
        int[] targets = new int[x.dim(0)];
        for (int i = 0; i < targets.length; i++) targets[i] = i % 10;
        Model probed = build.get();
        Trainer trainer = trainer(probed);
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(1));
        trainer.step(x, targets, new SplittableRandom(1));
        Model plain = build.get();
        Map<Tensor, String> names = new java.util.IdentityHashMap<>();
        Map<String, Stats> direct = new java.util.HashMap<>();
        Tensor logits = plain.forward(x, new ForwardContext(true, new SplittableRandom(1), (name, layer, out) -> names.put(out, name)));
        Tensor loss = F.crossEntropy(logits, targets);
        Backward.backward(loss, Tensor.full(loss.dtype, 1.0, loss.shape()), new Backward.GradListener() {
            @Override
            public void onGrad(Tensor tensor, Tensor grad) {
                if (names.containsKey(tensor)) direct.put(names.get(tensor), Stats.of(grad));
            }
        });
        int relus = 0;
        for (NodeHistory h : probe.nodes().values()) {
            if (h.kind() != NodeHistory.Kind.ACTIVATION || h.latest().grad() == null) continue;
            Stats got = h.latest().grad(), want = direct.get(h.name());
            assertNotNull(want, h.name());
            if (h.layerKind() == LayerKind.RELU) relus++;
            assertEquals(want.count(), got.count(), h.name());
            assertEquals(want.zeroFraction(), got.zeroFraction(), 0.0, h.name());
            assertEquals(want.nans(), got.nans(), h.name());
            assertEquals(want.maxAbs(), got.maxAbs(), 0.0, h.name());
            assertEquals(want.norm(), got.norm(), 1e-12 * want.norm(), h.name());
            assertEquals(want.mean(), got.mean(), 1e-12 * want.rms(), h.name());
            assertEquals(want.std(), got.std(), 1e-12 * want.rms(), h.name());
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.histogram(), got.histogram(), h.name());
        }
        return relus;
    }

    /** relu's output plus a fixed tensor: the sum's gradient reaches relu unchanged (the same object), but pooling reads the sum. */
    static final class Shift extends org.gradprobe.nn.Layer {
        Shift(String name, int[] shape) {
            super(name, "shift", shape, shape);
        }

        @Override
        public Tensor forward(Tensor x, ForwardContext ctx) {
            return emit(F.add(x, Tensor.randn(DType.FLOAT32, new SplittableRandom(8), 1, x.shape())), ctx);
        }

        @Override
        public String describe() {
            return "shift";
        }
    }
}
