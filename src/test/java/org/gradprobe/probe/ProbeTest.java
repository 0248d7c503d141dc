package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.Synthetic;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Trainer;
import org.junit.jupiter.api.Test;

/** The probe collects a recorded step's statistics one step later; nothing is lost or mixed up by that. */
class ProbeTest {
    private static final String SPEC = "conv2d(4,3) relu maxpool2d(2) flatten linear(16) tanh linear(10)";

    private static Trainer trainer(Model m) {
        return new Trainer(m, new Sgd(m.parameters(), 0.01, 0.9), new Trainer.Config(1, 8, 0, 0.5, 0.5, null, null, 0, 64));
    }

    @Test
    void everyRecordedStepReachesTheHistoriesAndTheListenersInOrderWithItsOwnLoss() {
        Model m = ModelSpec.build(SPEC, new int[] {1, 8, 8}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Trainer trainer = trainer(m);
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(2));
        List<Long> seen = new ArrayList<>();
        List<Double> lossesSeen = new ArrayList<>();
        probe.addListener(new Probe.Listener() {
            @Override
            public void onRecord(long step, Probe p) {
                seen.add(step);
                lossesSeen.add(p.lossAt(step));
            }
        });
        SplittableRandom r = new SplittableRandom(3);
        List<Double> losses = new ArrayList<>();
        for (int s = 0; s < 7; s++) {
            Tensor x = Tensor.randn(DType.FLOAT32, new SplittableRandom(10 + s), 1, 8, 1, 8, 8);
            losses.add(trainer.step(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, r));
        }
        // steps 1, 3, 5 collected at the update after them; step 7 only once the histories are read
        assertEquals(List.of(1L, 3L, 5L), seen);
        NodeHistory conv = probe.nodes().get("0");
        assertNotNull(conv, "node names: " + probe.nodes().keySet());
        assertEquals(List.of(1L, 3L, 5L, 7L), seen);
        for (int i = 0; i < seen.size(); i++) assertEquals(losses.get((int) (seen.get(i) - 1)), lossesSeen.get(i), 0.0, "loss of step " + seen.get(i));
        for (NodeHistory h : probe.nodes().values()) {
            List<Long> steps = new ArrayList<>();
            for (StepRecord rec : h.records()) steps.add(rec.toStep());
            assertEquals(List.of(1L, 3L, 5L, 7L), steps, h.name());
            for (StepRecord rec : h.records()) assertEquals(h.kind() == NodeHistory.Kind.PARAMETER ? numel(m, h.name()) : 8L * numel(h.shape()), rec.value().count(), h.name());
        }
    }

    @Test
    void fitCollectsTheLastRecordedStepAtTheEnd() {
        Model m = ModelSpec.build(SPEC, new int[] {1, 8, 8}, DType.FLOAT32, Init.pytorchDefault(), 1);
        Trainer trainer = trainer(m);
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(1));
        List<Long> seen = new ArrayList<>();
        probe.addListener(new Probe.Listener() {
            @Override
            public void onRecord(long step, Probe p) {
                seen.add(step);
            }
        });
        Dataset data = Synthetic.make(new int[] {1, 8, 8}, 40, 10, 5);
        trainer.fit(data, data, probe);
        assertEquals(5, seen.size(), "40 images in batches of 8, every step recorded: " + seen);
        assertEquals(5L, seen.get(4));
    }

    private static long numel(Model m, String param) {
        return m.parameters().get(param).numel();
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
