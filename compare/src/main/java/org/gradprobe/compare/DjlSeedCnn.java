package org.gradprobe.compare;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.Random;

/**
 * The seed CNN's training step in DJL with the PyTorch engine: conv 1→32 3×3, relu, max-pool 2, conv
 * 32→64 3×3, relu, max-pool 2, fc 1600→128, relu, fc 128→10; SGD lr 0.001 momentum 0.9, cross-entropy.
 * Prints one JSON line: {"framework": "djl", "batch", "images_per_s", "turns"}.
 * Usage: DjlSeedCnn BATCH IMAGES_PER_TURN TURNS (threads from -Dai.djl.pytorch.num_threads).
 */
public final class DjlSeedCnn {
    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]), images = Integer.parseInt(args[1]), turns = Integer.parseInt(args[2]);
        int steps = Math.max(1, images / batch);
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(32).build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(64).build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
        // random images and labels: the time of a step does not depend on the values
        Random rng = new Random(1);
        float[][] xs = new float[16][batch * 28 * 28];
        float[][] ys = new float[16][batch];
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < xs[i].length; j++) xs[i][j] = (float) rng.nextGaussian();
            for (int j = 0; j < batch; j++) ys[i][j] = rng.nextInt(10);
        }
        try (Model model = Model.newInstance("seed-cnn")) {
            model.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.001f)).optMomentum(0.9f).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 1, 28, 28));
                step(trainer, xs, ys, batch, Math.max(10, steps));      // warm-up
                double[] rates = new double[turns];
                for (int t = 0; t < turns; t++) {
                    long t0 = System.nanoTime();
                    step(trainer, xs, ys, batch, steps);
                    rates[t] = (double) steps * batch / ((System.nanoTime() - t0) / 1e9);
                }
                double[] sorted = rates.clone();
                Arrays.sort(sorted);
                double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
                System.out.printf("{\"framework\": \"djl\", \"batch\": %d, \"images_per_s\": %.1f, \"turns\": %s}%n", batch, median, Arrays.toString(rates));
            }
        }
    }

    private static void step(Trainer trainer, float[][] xs, float[][] ys, int batch, int steps) {
        for (int s = 0; s < steps; s++) {
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray x = m.create(xs[s % xs.length], new Shape(batch, 1, 28, 28));
                NDArray y = m.create(ys[s % ys.length], new Shape(batch));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
                    gc.backward(loss);
                }
                trainer.step();
            }
        }
    }
}
