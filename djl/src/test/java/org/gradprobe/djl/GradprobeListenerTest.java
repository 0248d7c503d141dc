package org.gradprobe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gradprobe.report.RunData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener on a real DJL training (PyTorch engine, offline): what it records, and a NaN stopping the run. */
class GradprobeListenerTest {
    static final int BATCH = 16, STEPS = 21;

    /** A small ReLU MLP on random images with a learnable label, trained with EasyTrain and SGD, listeners added. */
    static void train(int steps, Path dir, GradprobeListener probe, TrainingListenerAdapter... others) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(3);
        try (Model model = Model.newInstance("mlp", "PyTorch")) {
            model.setBlock(new SequentialBlock().add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(32).build())
                    .add(Activation.reluBlock()).add(Linear.builder().setUnits(10).build()));
            NDManager m = model.getNDManager();
            Random r = new Random(1);
            int n = BATCH * 4;
            float[] x = new float[n * 64];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextInt(10);
                for (int j = 0; j < 64; j++) x[i * 64 + j] = (float) r.nextGaussian() + (j % 10 == y[i] ? 1 : 0);
            }
            ArrayDataset data = new ArrayDataset.Builder().setData(m.create(x, new Shape(n, 8, 8))).optLabels(m.create(y, new Shape(n)))
                    .setSampling(BATCH, false).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build())
                    .addTrainingListeners(probe);
            for (TrainingListenerAdapter o : others) config.addTrainingListeners(o);
            try (Trainer trainer = model.newTrainer(config)) {
                // DJL's trainer tells its listeners training began when it is made, and that it ended when it is closed
                trainer.initialize(new Shape(BATCH, 8, 8));
                for (int s = 0; s < steps; s++) {
                    long from = (long) (s % 4) * BATCH;
                    try (NDManager sub = trainer.getManager().newSubManager(); Batch b = data.getByRange(sub, from, from + BATCH)) {
                        EasyTrain.trainBatch(trainer, b);
                        trainer.step();
                    }
                }
            }
        }
    }

    @Test
    void recordsEveryParameterAtTheRecordedStepsAsTheEngineSeesIt(@TempDir Path dir) throws Exception {
        // a second listener, after gradprobe's, notes each gradient's norm at step 1 from DJL itself
        Map<String, Double> djlNorms = new LinkedHashMap<>();
        TrainingListenerAdapter witness = new TrainingListenerAdapter() {
            int step;

            @Override
            public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                if (++step != 1) return;
                for (Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters()) {
                    NDArray g = p.getValue().getArray().getGradient();
                    djlNorms.put(GradprobeListener.nodeName(p.getKey()), (double) g.square().sum().sqrt().getFloat());
                }
            }
        };
        GradprobeListener probe = GradprobeListener.builder().every(10).runDir(dir).build();
        train(STEPS, dir, probe, witness);
        assertEquals(STEPS, probe.steps());
        assertEquals(null, probe.firstNonFinite());

        RunData run = RunData.read(dir.resolve("metrics.jsonl"));
        assertEquals("djl", run.provenance.get("command"));
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) run.provenance.get("settings");
        assertTrue(String.valueOf(settings.get("engine")).startsWith("PyTorch 2.7"), "engine: " + settings.get("engine"));
        assertEquals(List.of("02Linear.weight", "02Linear.bias", "04Linear.weight", "04Linear.bias"), new ArrayList<>(run.nodes.keySet()));
        for (RunData.Series s : run.nodes.values()) {
            assertEquals(List.of(1L, 11L, 21L), s.steps, s.node);
            assertEquals("parameter", s.kind);
            assertEquals("linear", s.layerKind);
            assertEquals(djlNorms.get(s.node), s.gradNorm.get(0), 1e-5 * djlNorms.get(s.node), s.node + ": gradient norm at step 1");
            // the update across trainer.step() of the recorded steps before the last; the last step (21) has none yet
            if (s.node.endsWith(".weight")) assertTrue(s.updateRatio.get(0) > 0 && s.updateRatio.get(0) < 1, s.node + " update/weight " + s.updateRatio.get(0));
            else assertEquals(Double.POSITIVE_INFINITY, s.updateRatio.get(0), s.node + ": DJL starts biases at zero, so any update is infinitely large next to them");
            assertTrue(s.updateRatio.get(1) > 0 && Double.isFinite(s.updateRatio.get(1)), s.node + " update/weight " + s.updateRatio.get(1));
            assertTrue(Double.isNaN(s.updateRatio.get(2)), s.node + ": the last recorded step has no update yet");
        }
        assertEquals(3, run.losses.size());
        assertTrue(run.losses.get(0)[1] > 1 && run.losses.get(0)[1] < 5, "a cross-entropy near ln 10 at the start: " + run.losses.get(0)[1]);
        // the run folder of gradprobe train: its report and TensorBoard events drawn at the end
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("02Linear.weight"));
        assertTrue(html.contains("<svg id=\"gradient-flow\"") && html.contains("<svg id=\"grad-norm-time\""), "the charts drawn from the weights");
        assertTrue(String.valueOf(run.provenance.get("model")).contains("03LambdaBlock(ReLU)"), "the model: " + run.provenance.get("model"));
        try (var events = Files.list(dir.resolve("tensorboard"))) {
            assertEquals(1, events.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).count());
        }
        assertNotNull(run.diagnosis, "the final verdicts record");
    }

    @Test
    void aWeightSetToNaNMidRunIsNamedAtTheStepItAppearsAndStopsTheRun(@TempDir Path dir) throws Exception {
        TrainingListenerAdapter saboteur = new TrainingListenerAdapter() {
            int step;

            @Override
            public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                // after step 7's check, before its update: the weights the 8th batch sees hold a NaN
                if (++step != 7) return;
                for (Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters()) {
                    if (p.getKey().equals("04Linear_weight")) p.getValue().getArray().set(new ai.djl.ndarray.index.NDIndex("0, 0"), Float.NaN);
                }
            }
        };
        GradprobeListener probe = GradprobeListener.builder().every(5).runDir(dir).build();
        GradprobeListener.NonFiniteGradientException e = assertThrows(GradprobeListener.NonFiniteGradientException.class,
                () -> train(STEPS, dir, probe, saboteur));
        assertEquals("04Linear.weight", e.event().node());
        assertEquals("weights", e.event().what());
        assertEquals(8, e.event().step());
        assertTrue(e.getMessage().contains("04Linear.weight") && e.getMessage().contains("step 8"), e.getMessage());
        assertEquals(8, probe.steps(), "no step after the one that saw it");
        RunData run = RunData.read(dir.resolve("metrics.jsonl"));
        assertNotNull(run.nonfinite);
        assertEquals("04Linear.weight", run.nonfinite.get("node"));
        assertTrue(Files.size(dir.resolve("metrics.jsonl")) > 0);
    }

    @Test
    void continuingRecordsTheFirstAndGoesOn(@TempDir Path dir) throws Exception {
        TrainingListenerAdapter saboteur = new TrainingListenerAdapter() {
            int step;

            @Override
            public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                if (++step != 3) return;
                trainer.getModel().getBlock().getParameters().get("02Linear_bias").getArray().set(new ai.djl.ndarray.index.NDIndex("0"), Float.NaN);
            }
        };
        GradprobeListener probe = GradprobeListener.builder().every(5).onNonFinite(GradprobeListener.OnNonFinite.CONTINUE).build();
        train(10, dir, probe, saboteur);
        assertEquals(10, probe.steps());
        assertEquals("02Linear.bias", probe.firstNonFinite().node());
        assertEquals(4, probe.firstNonFinite().step());
    }
}
