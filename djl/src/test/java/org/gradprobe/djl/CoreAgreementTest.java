package org.gradprobe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.gradprobe.autograd.Backward;
import org.gradprobe.data.Batches;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Targets;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.LayerVerdict;
import org.gradprobe.probe.NodeHistory;
import org.gradprobe.probe.ParameterHistories;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.probe.StepRecord;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Trainer.Settings;
import org.junit.jupiter.api.Test;

/**
 * The same network, weights and batches in gradprobe's engine and in DJL: the same parameter gradients
 * (float32 tolerance), and on the zoo's MLP scenarios the same verdicts, gradprobe's judged from its
 * parameters as the listener judges DJL's.
 */
class CoreAgreementTest {
    static final int BATCH = 32;

    /** gradprobe's {@code mlp(depth,width,act)} in DJL: flatten, depth × (linear(width) act), linear(10). */
    static Block mlp(int depth, int width, Supplier<Block> act) {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock());
        for (int i = 0; i < depth; i++) net.add(Linear.builder().setUnits(width).build()).add(act.get());
        return net.add(Linear.builder().setUnits(10).build());
    }

    /** Both sides of one scenario: gradprobe's model and a DJL trainer holding the same weights. */
    static final class Pairing implements AutoCloseable {
        final org.gradprobe.nn.Model core;
        final Model model;
        final Trainer trainer;
        final List<Parameter> djlParams = new ArrayList<>();
        final GradprobeListener listener = GradprobeListener.builder().every(1).build();

        Pairing(String spec, Block block, String init, Double bias, double lr) {
            core = ModelSpec.build(spec, new int[] {1, 28, 28}, DType.FLOAT32, Init.parse(init, bias), 0);
            Engine.getEngine("PyTorch").setRandomSeed(0);
            model = Model.newInstance("agreement", "PyTorch");
            model.setBlock(block);
            trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) lr)).optMomentum(0.9f).build())
                    .addTrainingListeners(listener));
            trainer.initialize(new Shape(BATCH, 1, 28, 28));
            for (Pair<String, Parameter> p : block.getParameters()) djlParams.add(p.getValue());
            // gradprobe's weights into DJL, parameter by parameter in forward order (both lay out weights [out, in])
            List<Tensor> ours = new ArrayList<>(core.parameters().values());
            assertEquals(ours.size(), djlParams.size(), "parameters on both sides");
            for (int i = 0; i < ours.size(); i++) {
                assertEquals(new Shape(toLong(ours.get(i).shape())), djlParams.get(i).getShape(), "parameter " + i);
                djlParams.get(i).getArray().set(FloatBuffer.wrap((float[]) ours.get(i).data().array()));
            }
        }

        /** One DJL training step on a batch; the gradients are left for the caller before the step when {@code step} is false. */
        void djlStep(Batches.Batch b, boolean step) {
            try (NDManager sub = trainer.getManager().newSubManager()) {
                NDArray x = sub.create((float[]) b.input().data().array(), new Shape(toLong(b.input().shape())));
                int[] labels = ((Targets.Classes) b.targets()).labels();
                float[] y = new float[labels.length];
                for (int i = 0; i < y.length; i++) y[i] = labels[i];
                try (Batch batch = new Batch(sub, new NDList(x), new NDList(sub.create(y)), 1, null, null, 0, 1)) {
                    EasyTrain.trainBatch(trainer, batch);
                    if (step) trainer.step();
                }
            }
        }

        @Override
        public void close() {
            trainer.close();    // the listeners' onTrainingEnd
            model.close();
        }
    }

    static long[] toLong(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) l[i] = s[i];
        return l;
    }

    static List<Batches.Batch> batches(int n) {
        Batches all = new Batches(FashionMnist.bundled().train(), BATCH, new SplittableRandom(1), 0.5, 0.5, DType.FLOAT32);
        List<Batches.Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(all.get(i));
        return out;
    }

    @Test
    void theSameParameterGradients() {
        Batches.Batch b = batches(1).get(0);
        try (Pairing p = new Pairing("mlp(3,32,tanh)", mlp(3, 32, Activation::tanhBlock), "default", null, 0.01)) {
            p.djlStep(b, false);
            Tensor loss = org.gradprobe.ops.Loss.CROSS_ENTROPY.compute(p.core.forward(b.input(), ForwardContext.eval()), b.targets());
            Backward.backward(loss, Tensor.full(loss.dtype, 1, loss.shape()), null);
            List<Map.Entry<String, Tensor>> ours = new ArrayList<>(p.core.parameters().entrySet());
            for (int i = 0; i < ours.size(); i++) {
                float[] g = (float[]) ours.get(i).getValue().grad().data().array(), d = p.djlParams.get(i).getArray().getGradient().toFloatArray();
                double worst = 0, scale = 0;
                for (float v : d) scale = Math.max(scale, Math.abs(v));
                for (int j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j] - d[j]));
                assertTrue(worst <= 1e-4 * scale, ours.get(i).getKey() + ": gradients differ by " + worst + " (largest " + scale + ")");
            }
        }
    }

    /** gradprobe's engine trained with its probe, then judged from its parameters' records alone (as DJL is). */
    static List<LayerVerdict> coreVerdicts(org.gradprobe.nn.Model model, double lr, List<Batches.Batch> batches) {
        org.gradprobe.train.Trainer t = new org.gradprobe.train.Trainer(model, new Sgd(model.parameters(), lr, 0.9),
                Settings.defaults().withBatchSize(BATCH));
        Probe probe = Probe.attach(t, ProbeConfig.defaults().withEvery(1));
        SplittableRandom rng = new SplittableRandom(0);
        for (Batches.Batch b : batches) t.step(b.input(), b.targets(), rng);
        ParameterHistories h = new ParameterHistories(probe.config());
        for (NodeHistory n : probe.nodes().values()) {
            if (n.kind() != NodeHistory.Kind.PARAMETER) continue;
            for (StepRecord r : n.records()) h.record(n.name(), n.layerKindName(), n.shape(), r.toStep(), r.value(), r.grad(), r.updateNorm());
        }
        for (double[] l : probe.losses()) h.loss((long) l[0], l[1]);
        return h.verdicts();
    }

    static void sameVerdicts(String spec, Block block, String init, Double bias, double lr, int steps, String expect) {
        List<Batches.Batch> batches = batches(steps);
        Pairing p = new Pairing(spec, block, init, bias, lr);
        try (p) {
            for (Batches.Batch b : batches) p.djlStep(b, true);
        }
        // the engine trains from the same initial weights (DJL received a copy) on the same batches
        List<LayerVerdict> ours = coreVerdicts(p.core, lr, batches), theirs = p.listener.verdicts();
        assertEquals(ours.size(), theirs.size(), spec + ": layers judged");
        boolean seen = false;
        for (int i = 0; i < ours.size(); i++) {
            assertEquals(ours.get(i).verdicts(), theirs.get(i).verdicts(), spec + " layer " + i + ": gradprobe " + ours.get(i) + ", DJL " + theirs.get(i));
            seen |= ours.get(i).verdicts().toString().contains(expect);
        }
        assertTrue(seen, spec + ": expected " + expect + " somewhere, got " + theirs);
    }

    @Test
    void theSameVerdictsOnTheZoosMlps() {
        sameVerdicts("mlp(10,64,sigmoid)", mlp(10, 64, Activation::sigmoidBlock), "default", null, 0.01, 80, "vanishing");
        // seen through its parameters, the zoo's exploding ReLU MLP looks healthy on both sides: a weight's gradient
        // is ‖δ‖·‖x‖, and the inputs x grow forward as the gradients δ grow back, so it does not grow with depth
        sameVerdicts("mlp(8,64,relu)", mlp(8, 64, Activation::reluBlock), "he-normal*4", null, 1e-9, 60, "healthy");
        sameVerdicts("mlp(3,64,relu)", mlp(3, 64, Activation::reluBlock), "he-normal", null, 0.01, 60, "healthy");
    }
}
