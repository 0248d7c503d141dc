package org.gradprobe.djl.examples;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.djl.GradprobeListener;
import org.gradprobe.ops.Targets;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.report.TerminalReport;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * gradprobe inside DJL, end to end: the seed CNN, then a 10-layer sigmoid MLP, trained in DJL (PyTorch engine,
 * offline) on the Fashion-MNIST subset shipped with gradprobe, each with {@link GradprobeListener}: their
 * verdict tables, and the run folders with report.html. Run it with {@code djl/demo [RUNS_DIR]}.
 */
public final class DjlDemo {
    private DjlDemo() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        Path runs = Path.of(args.length > 0 ? args[0] : "runs/djl-demo");
        System.out.println("gradprobe inside DJL " + Engine.getDjlVersion() + ": the seed CNN, 300 steps of batch 32 (SGD lr 0.01, momentum 0.9)");
        report(train(seedCnn(), runs.resolve("seed-cnn"), 300));
        System.out.println();
        System.out.println("a 10-layer sigmoid MLP, 150 steps: the listener should call its early layers vanishing");
        report(train(deepSigmoid(), runs.resolve("deep-sigmoid"), 150));
        System.out.println();
        System.out.println("reports: " + runs.resolve("seed-cnn/report.html") + ", " + runs.resolve("deep-sigmoid/report.html"));
    }

    /** The seed CNN: conv 1→32 3×3, relu, max-pool 2, conv 32→64 3×3, relu, max-pool 2, fc 1600→128, relu, fc 128→10. */
    static Block seedCnn() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(32).build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(64).build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(128).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    /** gradprobe's mlp(10,64,sigmoid). */
    static Block deepSigmoid() {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock());
        for (int i = 0; i < 10; i++) net.add(Linear.builder().setUnits(64).build()).add(Activation.sigmoidBlock());
        return net.add(Linear.builder().setUnits(10).build());
    }

    /** Trains {@code block} on the bundled images held as one NDArray, EasyTrain and SGD, the listener writing {@code dir}. */
    static Diagnosis train(Block block, Path dir, int steps) throws Exception {
        int batch = 32;
        Dataset images = FashionMnist.bundled().train();
        int n = images.size() / batch * batch;
        Tensor x = Tensor.zeros(DType.FLOAT32, n, 1, 28, 28);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        int[] labels = ((Targets.Classes) images.fill(order, x, 0.5, 0.5)).labels();
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = labels[i];
        Engine.getEngine("PyTorch").setRandomSeed(0);
        GradprobeListener probe = GradprobeListener.builder().every(10).runDir(dir).build();
        try (Model model = Model.newInstance("demo", "PyTorch")) {
            model.setBlock(block);
            NDManager m = model.getNDManager();
            ArrayDataset data = new ArrayDataset.Builder().setData(m.create((float[]) x.data().array(), new Shape(n, 1, 28, 28)))
                    .optLabels(m.create(y, new Shape(n))).setSampling(batch, true).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).optMomentum(0.9f).build())
                    .addTrainingListeners(probe);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 1, 28, 28));
                for (int s = 0; s < steps; s++) {
                    long from = (long) s * batch % n;
                    try (NDManager sub = trainer.getManager().newSubManager(); Batch b = data.getByRange(sub, from, from + batch)) {
                        EasyTrain.trainBatch(trainer, b);
                        trainer.step();
                    }
                }
            }
        }
        return probe.diagnosis();
    }

    private static void report(Diagnosis d) {
        System.out.print(TerminalReport.render(d.probe(), d));
    }
}
