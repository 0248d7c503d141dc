package org.gradprobe.compare;

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
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The seed CNN's training in DJL with the PyTorch engine, at DJL's best: conv 1→32 3×3, relu, max-pool 2,
 * conv 32→64 3×3, relu, max-pool 2, fc 1600→128, relu, fc 128→10; SGD lr 0.001 momentum 0.9,
 * cross-entropy. The data is resident as one NDArray in an {@link ArrayDataset} (16 batches of random
 * images and labels: a step's time does not depend on the values), each step's batch a view of it
 * ({@link ArrayDataset#getByRange}, no copy), and the step is DJL's idiomatic
 * {@link EasyTrain#trainBatch} + {@code trainer.step()}, after max(10, steps of a turn) warm-up steps.
 * Prints one JSON line: {"framework": "djl", "batch", "images_per_s" (the median turn), "turns"}.
 *
 * <p>Usage: {@code DjlSeedCnn BATCH IMAGES_PER_TURN TURNS} (threads from {@code -Dai.djl.pytorch.num_threads};
 * {@code ai.djl.offline} defaults to true).
 */
public final class DjlSeedCnn {
    static final int RESIDENT_BATCHES = 16;

    private DjlSeedCnn() {}

    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]), images = Integer.parseInt(args[1]), turns = Integer.parseInt(args[2]);
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        int steps = Math.max(1, images / batch);
        Engine.getEngine("PyTorch").setRandomSeed(1);
        try (NDManager data = NDManager.newBaseManager("PyTorch");
             Model model = Model.newInstance("seed-cnn", "PyTorch")) {
            ArrayDataset dataset = dataset(data, batch);
            try (Trainer trainer = trainer(model, batch)) {
                run(trainer, dataset, batch, 0, Math.max(10, steps));      // warm-up
                double[] rates = new double[turns];
                for (int t = 0; t < turns; t++) {
                    long t0 = System.nanoTime();
                    run(trainer, dataset, batch, 0, steps);
                    rates[t] = (double) steps * batch / ((System.nanoTime() - t0) / 1e9);
                }
                StringBuilder list = new StringBuilder();
                for (double r : rates) list.append(list.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", r));
                System.out.printf(Locale.ROOT, "{\"framework\": \"djl\", \"batch\": %d, \"images_per_s\": %.1f, \"turns\": [%s]}%n",
                        batch, median(rates), list);
            }
        }
    }

    /** The seed CNN as a DJL block. */
    static Block seedCnn() {
        return new SequentialBlock()
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
    }

    /** 16 batches of random images [N, 1, 28, 28] (standard normal) and labels in [0, 10), resident in {@code data}. */
    static ArrayDataset dataset(NDManager data, int batch) {
        Random rng = new Random(1);
        int n = RESIDENT_BATCHES * batch;
        float[] x = new float[n * 28 * 28];
        long[] y = new long[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int i = 0; i < n; i++) y[i] = rng.nextInt(10);
        return new ArrayDataset.Builder()
                .setData(data.create(x, new Shape(n, 1, 28, 28)))
                .optLabels(data.create(y, new Shape(n)))
                .setSampling(batch, false).build();
    }

    /** A trainer of the seed CNN in {@code model}: SGD lr 0.001 momentum 0.9, cross-entropy, the given listeners. */
    static Trainer trainer(Model model, int batch, TrainingListener... listeners) {
        model.setBlock(seedCnn());
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.001f)).optMomentum(0.9f).build());
        if (listeners.length > 0) config.addTrainingListeners(listeners);
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(new Shape(batch, 1, 28, 28));
        return trainer;
    }

    /** {@code steps} training steps through the resident batches, from step {@code first}: a slice each (a view). */
    static void run(Trainer trainer, ArrayDataset dataset, int batch, long first, int steps) {
        for (int s = 0; s < steps; s++) {
            long from = ((first + s) % RESIDENT_BATCHES) * batch;
            try (NDManager m = trainer.getManager().newSubManager();
                 Batch b = dataset.getByRange(m, from, from + batch)) {
                EasyTrain.trainBatch(trainer, b);
                trainer.step();
            }
        }
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
