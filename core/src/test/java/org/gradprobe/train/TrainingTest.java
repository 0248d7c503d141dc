package org.gradprobe.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.data.Batches;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.F;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.NodeHistory;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.probe.Stats;
import org.gradprobe.probe.StepRecord;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The seed recipe on the shipped subset of real Fashion-MNIST learns. */
class TrainingTest {
    @Test
    void seedRecipeLowersTheLossAndBeatsChanceByAWideMargin() {
        FashionMnist.Split data = FashionMnist.bundled();
        Model model = ModelSpec.build("seed-cnn", null, DType.FLOAT32, Init.pytorchDefault(), 0);
        Dataset test = data.test();
        Evaluation before = Evaluation.run(model, test, 250, 0.5, 0.5, Loss.CROSS_ENTROPY);
        List<Double> losses = new ArrayList<>();
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.001, 0.9),
                Trainer.Settings.defaults().withEvalBatch(250));
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(int epoch, long step, int batch, int batches, double loss, int images) {
                losses.add(loss);
            }
        });
        Evaluation after = trainer.fit(data.train(), test);
        double first = mean(losses.subList(0, 100)), last = mean(losses.subList(losses.size() - 100, losses.size()));
        assertTrue(last < 0.6 * first, "running loss went from " + first + " to " + last);
        assertTrue(after.loss() < before.loss() - 1.0, "test loss " + before.loss() + " -> " + after.loss());
        assertTrue(after.accuracy() > 0.55, "test accuracy " + after.accuracy() + " (chance 0.10)");
    }

    @Test
    void clippingIsCountedWhenItActs() {
        Model model = ModelSpec.build("flatten linear(10)", new int[] {1, 28, 28}, DType.FLOAT32, Init.pytorchDefault(), 0);
        Trainer loose = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withBatchSize(16).withClipNorm(1e6).withLimit(160).withEvalBatch(250));
        loose.fit(FashionMnist.bundled().train(), null);
        assertTrue(loose.clippedSteps() == 0, "a huge max norm never clips");
        Trainer tight = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withBatchSize(16).withClipNorm(1e-3).withLimit(160).withEvalBatch(250));
        tight.fit(FashionMnist.bundled().train(), null);
        assertTrue(tight.clippedSteps() == tight.steps() && tight.largestClippedNorm() > 1e-3, "a tiny max norm clips every step");
    }

    @Test
    void everyListenerHearsTheRunInOrderAndAProbeIsAttachedOnce() {
        Model model = ModelSpec.build("flatten linear(10)", new int[] {1, 28, 28}, DType.FLOAT32, Init.pytorchDefault(), 0);
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withBatchSize(16).withSteps(25));
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(5));
        assertThrows(IllegalStateException.class, () -> Probe.attach(trainer, ProbeConfig.defaults()), "a second probe is an error, not a silent swap");
        List<String> heard = new ArrayList<>();
        for (String who : new String[] {"a", "b"}) {
            trainer.addListener(new TrainingListener() {
                @Override
                public void onRecord(long step) {
                    heard.add(who + " record " + step);
                }

                @Override
                public void onEpoch(int epoch, Evaluation test) {
                    heard.add(who + " epoch " + epoch);
                }

                @Override
                public void onEnd() {
                    heard.add(who + " end");
                }
            });
        }
        trainer.fit(FashionMnist.bundled().train().head(320), null);
        assertEquals(25, trainer.steps(), "withSteps(25) takes 25 steps over two passes of 20 batches");
        assertEquals(List.of("a record 1", "b record 1", "a record 6", "b record 6", "a record 11", "b record 11", "a record 16", "b record 16",
                "a epoch 1", "b epoch 1", "a record 21", "b record 21", "a epoch 2", "b epoch 2", "a end", "b end"), heard);
        assertEquals(5, probe.nodes().get("1").records().size());
    }

    /**
     * The trainer reuses a step's large arrays in later steps (StepMemory); plain forward/backward/update
     * calls do not. Both must give the same weights bit for bit, in float32 and float64, through every op
     * whose output is taken unzeroed (with assertions on, those arrays come back full of NaN, so an
     * element an op forgot to write shows), and the probe, recording every step or every other one, must
     * see the same.
     */
    @Test
    void reusingStepMemoryChangesNothing() {
        String spec = "conv2d(6,3,padding=1) relu maxpool2d(2) conv2d(8,3) tanh maxpool2d(3,stride=2) conv2d(8,1) sigmoid"
                + " flatten linear(32) gelu linear(10)";
        FashionMnist.Split data = FashionMnist.bundled();
        for (DType dtype : DType.values()) {
            for (int every : new int[] {0, 1, 2}) {    // not probed, probed every step, every other step
                boolean probed = every > 0;
                Model viaTrainer = ModelSpec.build(spec, new int[] {1, 28, 28}, dtype, Init.pytorchDefault(), 3);
                Model plain = ModelSpec.build(spec, new int[] {1, 28, 28}, dtype, Init.pytorchDefault(), 3);
                Sgd trainerSgd = new Sgd(viaTrainer.parameters(), 0.01, 0.9), plainSgd = new Sgd(plain.parameters(), 0.01, 0.9);
                Trainer trainer = new Trainer(viaTrainer, trainerSgd, Trainer.Settings.defaults().withBatchSize(48).withEvalBatch(250));
                Probe probe = probed ? Probe.attach(trainer, ProbeConfig.defaults().withEvery(every)) : null;
                Batches batches = new Batches(data.train(), 48, new SplittableRandom(5), 0.5, 0.5, dtype);
                List<Map<String, Stats[]>> direct = new ArrayList<>();    // per step and layer: value and gradient statistics
                for (int b = 0; b < 6; b++) {
                    Batches.Batch batch = batches.get(b);
                    double loss = trainer.step(batch.input(), batch.targets(), new SplittableRandom(b));
                    plainSgd.zeroGrad();
                    Map<String, Tensor> outs = new LinkedHashMap<>();
                    Tensor out = plain.forward(batch.input(), new ForwardContext(true, new SplittableRandom(b), (name, layer, t) -> outs.put(name, t.retainGrad())));
                    Tensor plainLoss = F.crossEntropy(out, batch.labels());
                    Backward.backward(plainLoss);
                    Map<String, Stats[]> stats = new LinkedHashMap<>();
                    // parameters: the weights the step used and their gradients, before the update
                    plain.parameters().forEach((name, w) -> stats.put(name, new Stats[] {Stats.serial(w), Stats.serial(w.grad())}));
                    plainSgd.step();
                    assertEquals(plainLoss.item(), loss, 0.0, dtype + " step " + b);
                    outs.forEach((name, t) -> stats.put(name, new Stats[] {Stats.serial(t), Stats.serial(t.grad())}));
                    direct.add(stats);
                }
                for (Map.Entry<String, Tensor> e : plain.parameters().entrySet()) {
                    assertArrayEquals(e.getValue().doubles(), viaTrainer.parameters().get(e.getKey()).doubles(), 0.0,
                            dtype + (probed ? " probed " : " ") + e.getKey());
                }
                if (probe == null) continue;
                // what the probe recorded of each step, layer outputs (read while the step ran, from arrays reused later)
                // and parameters, is what the plain pass had
                for (NodeHistory h : probe.nodes().values()) {
                    assertEquals(6 / every, h.records().size(), h.name());
                    for (StepRecord r : h.records()) {
                        Stats[] want = direct.get((int) r.fromStep() - 1).get(h.name());
                        String where = dtype + " " + h.name() + " step " + r.fromStep();
                        assertArrayEquals(want[0].histogram(), r.value().histogram(), where + " value");
                        assertEquals(want[0].norm(), r.value().norm(), 1e-12 * want[0].norm(), where + " value");
                        assertArrayEquals(want[1].histogram(), r.grad().histogram(), where + " gradient");
                        assertEquals(want[1].norm(), r.grad().norm(), 1e-12 * want[1].norm(), where + " gradient");
                    }
                }
            }
        }
    }

    private static double mean(List<Double> l) {
        double s = 0;
        for (double v : l) s += v;
        return s / l.size();
    }
}
