package org.gradprobe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gradprobe.autograd.GradMode;
import org.gradprobe.data.AddingProblem;
import org.gradprobe.data.Batches;
import org.gradprobe.data.CharText;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Layer;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.F;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Adam;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Training and evaluating on sequence data: value targets (the adding problem) and class targets a token (a character model). */
class SequenceTrainingTest {
    /**
     * A character model of the ops alone (the spec's recurrent layers are not needed to test the data and
     * the loss): embedding(V, D), then one linear map of every step's vector to V scores, [N, T] → [N, T, V].
     */
    static final class CharModel extends Layer {
        private final int steps, vocabulary;

        CharModel(int steps, int vocabulary, int dim, SplittableRandom rng) {
            super("lm", "charlm", new int[] {steps}, new int[] {steps, vocabulary});
            this.steps = steps;
            this.vocabulary = vocabulary;
            param("embedding", Tensor.randn(DType.FLOAT64, rng, 1, vocabulary, dim));
            param("weight", Tensor.randn(DType.FLOAT64, rng, 1 / Math.sqrt(dim), vocabulary, dim));
            param("bias", Tensor.zeros(DType.FLOAT64, vocabulary));
        }

        @Override
        public Tensor forward(Tensor x, ForwardContext ctx) {
            int n = x.dim(0);
            Tensor e = F.embedding(x, params().get("embedding"));
            Tensor y = F.linear(F.reshape(e, n * steps, -1), params().get("weight"), params().get("bias"));
            return emit(F.reshape(y, n, steps, vocabulary), ctx);
        }

        @Override
        public String describe() {
            return "charlm";
        }
    }

    @Test
    void aCharacterModelLearnsTheTextPerTokenAndIsEvaluatedPerToken() {
        assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of(CharText.DEFAULT_DIR)), "a Debian system's licence texts");
        int steps = 16, v = 32;
        SampleSet.Split data = CharText.load(steps, v, 5);
        SampleSet test = data.test().head(120);
        Model model = Model.sequential(new int[] {steps}, DType.FLOAT64, List.of(new CharModel(steps, v, 16, new SplittableRandom(1))));
        Evaluation before = Evaluation.run(model, test, 50, 0.5, 0.5, Loss.CROSS_ENTROPY);
        Trainer trainer = new Trainer(model, new Adam(model.parameters(), 0.01),
                Trainer.Settings.defaults().withBatchSize(32).withSteps(200).withEvalBatch(50));
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(20));
        List<Integer> samples = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(int epoch, long step, int batch, int batches, double loss, int n) {
                samples.add(n);
            }
        });
        trainer.fit(data.train(), null);
        assertTrue(samples.stream().allMatch(n -> n == 32), "the batch size in sequences, not tokens: " + samples.subList(0, 3));
        assertNull(probe.firstNonFinite());
        Evaluation after = Evaluation.run(model, test, 50, 0.5, 0.5, Loss.CROSS_ENTROPY);
        assertEquals(120 * steps, after.predictions(), "one prediction a token");
        assertEquals(120, after.samples());
        assertTrue(after.loss() < before.loss() - 0.8, "test loss per token " + before.loss() + " -> " + after.loss());
        assertTrue(after.accuracy() > 0.22, "per-token accuracy well above chance (1/32): " + after.accuracy());

        // the evaluation in batches of 50 (the last of 20) is the whole set's per-token loss and accuracy
        try (GradMode.Scope g = GradMode.noGrad()) {
            Batches.Batch all = new Batches(test, test.size(), null, 0.5, 0.5, DType.FLOAT64).get(0);
            Tensor out = model.forward(all.input(), ForwardContext.eval());
            assertEquals(Loss.CROSS_ENTROPY.compute(out, all.targets()).item(), after.loss(), 1e-12);
            int[] labels = all.labels();
            int right = 0;
            for (int i = 0; i < labels.length; i++) {
                int best = 0;
                for (int c = 1; c < v; c++) if (out.get(i * v + c) > out.get(i * v + best)) best = c;
                if (best == labels[i]) right++;
            }
            assertEquals((double) right / labels.length, after.accuracy(), 0.0);
        }
    }

    @Test
    void aNonFiniteLossAgainstValueTargetsIsLocalizedToTheLoss() {
        // float32 weights of 1e30 give outputs near 1e31, whose squared error overflows float32 in the mse
        SampleSet.Split data = AddingProblem.split(10, 1);
        Model model = ModelSpec.build("flatten linear(1)", new int[] {10, 2}, DType.FLOAT32, Init.pytorchDefault(), 0);
        Tensor w = model.parameters().get("1.weight");
        for (int i = 0; i < w.numel(); i++) w.set(i, 1e30);
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9),
                Trainer.Settings.defaults().withBatchSize(8).withSteps(3).withLoss(Loss.MSE));
        Probe probe = Probe.attach(trainer, ProbeConfig.defaults());
        trainer.fit(data.train(), null);
        assertEquals("mse_loss", probe.firstNonFinite().op(), probe.firstNonFinite().describe());
        assertEquals("forward", probe.firstNonFinite().pass());
        assertEquals(1, probe.firstNonFinite().step());
        assertTrue(probe.stopped());
    }

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
