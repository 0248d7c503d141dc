package org.gradprobe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gradprobe.autograd.GradMode;
import org.gradprobe.data.AddingProblem;
import org.gradprobe.data.Batches;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;

/** Training and evaluating on sequence data: value targets (the adding problem) and, below, class targets a token. */
class SequenceTrainingTest {
    @Test
    void evaluationOfValueTargetsIsTheMeanLossOverTheWholeSetWithoutAccuracy() {
        SampleSet test = AddingProblem.split(10, 1).test();
        Model model = ModelSpec.build("flatten linear(8) tanh linear(1)", new int[] {10, 2}, DType.FLOAT64, Init.pytorchDefault(), 3);
        // batches of 64 leave a last one of 40: each batch's mean must be weighted by its size
        Evaluation e = Evaluation.run(model, test, 64, 0.5, 0.5, Loss.MSE);
        double whole;
        try (GradMode.Scope g = GradMode.noGrad()) {
            Batches.Batch all = new Batches(test, test.size(), null, 0.5, 0.5, DType.FLOAT64).get(0);
            whole = Loss.MSE.compute(model.forward(all.input(), ForwardContext.eval()), all.targets()).item();
        }
        assertEquals(whole, e.loss(), 1e-12 * whole);
        assertEquals(AddingProblem.TEST, e.samples());
        assertFalse(e.hasAccuracy());
        assertEquals(0, e.predictions());
        assertTrue(Double.isNaN(e.accuracy()));
    }

    @Test
    void theTrainerTrainsOnValueTargetsAndCountsSequences() {
        SampleSet.Split data = AddingProblem.split(20, 2);
        Model model = ModelSpec.build("flatten linear(16) relu linear(1)", new int[] {20, 2}, DType.FLOAT32, Init.pytorchDefault(), 0);
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9),
                Trainer.Settings.defaults().withBatchSize(32).withSteps(40).withLoss(Loss.MSE));
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(10));
        List<Integer> samples = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(int epoch, long step, int batch, int batches, double loss, int n) {
                samples.add(n);
                losses.add(loss);
            }
        });
        Evaluation test = trainer.fit(data.train(), data.test());
        assertEquals(40, samples.size());
        assertTrue(samples.stream().allMatch(n -> n == 32), "the batch size in sequences: " + samples);
        assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
        assertNull(probe.firstNonFinite());
        assertFalse(test.hasAccuracy());
        assertTrue(Double.isFinite(test.loss()) && test.loss() > 0);
    }
}
