package org.gradprobe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.ops.Targets;
import org.gradprobe.report.RunData;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's held-out check on our side: DJL programs using only {@code GradprobeListener.builder().every(K)
 * .runDir(dir).build()}, 150 steps on Fashion-MNIST, and the final verdicts record of their run log: a
 * 10-layer sigmoid MLP vanishes in its early layers, a ReLU MLP with batch norm is healthy.
 */
class DjlVerdictsTest {
    static final int BATCH = 32, STEPS = 150;

    /**
     * A DJL program as its users write it: the bundled Fashion-MNIST subset as an ArrayDataset, SGD, and
     * {@code EasyTrain.fit} for two epochs of 75 batches (150 steps), the listener added with one line.
     */
    static void train(Block block, Path dir) throws Exception {
        Dataset images = FashionMnist.bundled().train();
        int n = BATCH * STEPS / 2;
        Tensor x = Tensor.zeros(DType.FLOAT32, n, 1, 28, 28);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        int[] labels = ((Targets.Classes) images.fill(all, x, 0.5, 0.5)).labels();
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = labels[i];
        Engine.getEngine("PyTorch").setRandomSeed(5);
        try (Model model = Model.newInstance("mlp", "PyTorch")) {
            model.setBlock(block);
            NDManager m = model.getNDManager();
            ArrayDataset data = new ArrayDataset.Builder().setData(m.create((float[]) x.data().array(), new Shape(n, 1, 28, 28)))
                    .optLabels(m.create(y, new Shape(n))).setSampling(BATCH, true).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).optMomentum(0.9f).build())
                    .addTrainingListeners(GradprobeListener.builder().every(10).runDir(dir).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, 1, 28, 28));
                EasyTrain.fit(trainer, 2, data, null);
            }
        }
    }

    /** The layers of the final verdicts record: name → verdicts. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> finalVerdicts(Path dir) {
        RunData run = RunData.read(dir.resolve("metrics.jsonl"));
        return (List<Map<String, Object>>) run.diagnosis.get("layers");
    }

    @Test
    void aTenLayerSigmoidMlpVanishesInItsEarlyLayers(@TempDir Path dir) throws Exception {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock());
        for (int i = 0; i < 10; i++) net.add(Linear.builder().setUnits(64).build()).add(Activation.sigmoidBlock());
        train(net.add(Linear.builder().setUnits(10).build()), dir);
        List<Map<String, Object>> layers = finalVerdicts(dir);
        assertEquals(11, layers.size(), "one verdict a linear layer: " + layers);
        for (int i = 0; i < 3; i++) assertTrue(((List<?>) layers.get(i).get("verdicts")).contains("vanishing"), "layer " + i + ": " + layers.get(i));
        assertEquals(List.of("healthy"), layers.get(10).get("verdicts"), "the last layer: " + layers.get(10));
        assertTrue(String.valueOf(layers.get(0).get("advice")).contains("replace sigmoid/tanh"), "advice naming its activations: " + layers.get(0));
    }

    @Test
    void aReluMlpWithBatchNormIsHealthy(@TempDir Path dir) throws Exception {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock());
        for (int i = 0; i < 6; i++) net.add(Linear.builder().setUnits(64).build()).add(BatchNorm.builder().build()).add(Activation.reluBlock());
        train(net.add(Linear.builder().setUnits(10).build()), dir);
        List<Map<String, Object>> layers = finalVerdicts(dir);
        assertEquals(7, layers.size(), "one verdict a linear layer: " + layers);
        for (Map<String, Object> l : layers) assertEquals(List.of("healthy"), l.get("verdicts"), String.valueOf(l));
        @SuppressWarnings("unchecked")
        Map<String, Object> loss = (Map<String, Object>) RunData.read(dir.resolve("metrics.jsonl")).diagnosis.get("loss");
        assertEquals("healthy", loss.get("verdict"), String.valueOf(loss));
    }
}
