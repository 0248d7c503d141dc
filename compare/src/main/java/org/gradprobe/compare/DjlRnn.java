package org.gradprobe.compare;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The recurrent workloads of issue 19 in DJL with the PyTorch engine, at DJL's best: the data resident
 * as one NDArray that {@link ArrayDataset#getByRange} slices per batch (a view, no copy), the idiomatic
 * {@link EasyTrain#trainBatch} + {@code trainer.step()}, at least 10 warm-up steps. Same networks as
 * {@code torch_rnn.py}:
 * <ul>
 *   <li>{@code lstm-lm}: embedding(64, 64) → LSTM(128, batch-first) → linear(64) per token, T = 64
 *       random ids in [0, 64), random target ids [N, T], cross-entropy over the N·T tokens;</li>
 *   <li>{@code gru-rows}: 28 rows of 28 → GRU(128, batch-first) → last step → linear(10), cross-entropy.</li>
 * </ul>
 * SGD lr 0.001 momentum 0.9, float32. Prints one JSON line per timed turn, as {@code torch_rnn.py}:
 * {"framework": "djl", "workload", "batch", "steps", "turn", "threads", "samples_per_s",
 * "images_per_s" or "sequences_per_s" and "tokens_per_s", "engine"}.
 *
 * <p>Usage: {@code DjlRnn WORKLOAD BATCH STEPS TURNS [THREADS]}. THREADS sets
 * {@code ai.djl.pytorch.num_threads} (and {@code num_interop_threads} 1) unless they are given with -D;
 * {@code ai.djl.offline} defaults to true. {@code -Ddjl.rnn.verbose=true} lists the parameters (name,
 * shape) on stderr; {@code -Ddjl.rnn.profile=FILE} writes PyTorch's profiler trace (Chrome JSON) of two
 * steps after the timed turns to FILE, to see which ATen ops the step runs.
 */
public final class DjlRnn {
    static final int VOCAB = 64, EMBED = 64, HIDDEN = 128, SEQ = 64;    // lstm-lm
    static final int ROWS = 28, COLS = 28, CLASSES = 10;                // gru-rows
    static final int RESIDENT_BATCHES = 16;

    private DjlRnn() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4 || !(args[0].equals("lstm-lm") || args[0].equals("gru-rows"))) {
            System.err.println("usage: DjlRnn {lstm-lm|gru-rows} BATCH STEPS TURNS [THREADS]");
            System.exit(2);
        }
        String workload = args[0];
        int batch = Integer.parseInt(args[1]), steps = Integer.parseInt(args[2]), turns = Integer.parseInt(args[3]);
        // before the engine loads: it reads these once
        if (args.length > 4) {
            if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", args[4]);
            if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        boolean lm = workload.equals("lstm-lm");

        Engine.getEngine("PyTorch").setRandomSeed(1);
        try (Model model = Model.newInstance(workload, "PyTorch")) {
            NDManager data = model.getNDManager().newSubManager();
            Random rng = new Random(1);
            int n = RESIDENT_BATCHES * batch;
            ArrayDataset dataset;
            Loss loss;
            Shape inputShape;
            if (lm) {
                model.setBlock(lstmLm());
                long[] x = new long[n * SEQ], y = new long[n * SEQ];
                for (int i = 0; i < x.length; i++) {
                    x[i] = rng.nextInt(VOCAB);
                    y[i] = rng.nextInt(VOCAB);
                }
                dataset = new ArrayDataset.Builder()
                        .setData(data.create(x, new Shape(n, SEQ)))
                        .optLabels(data.create(y, new Shape(n, SEQ)))
                        .setSampling(batch, false).build();
                loss = new PerTokenCrossEntropy();
                inputShape = new Shape(batch, SEQ);
            } else {
                model.setBlock(gruRows());
                float[] x = new float[n * ROWS * COLS];
                long[] y = new long[n];
                for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();   // pixel intensities in [0, 1)
                for (int i = 0; i < n; i++) y[i] = rng.nextInt(CLASSES);
                dataset = new ArrayDataset.Builder()
                        .setData(data.create(x, new Shape(n, ROWS, COLS)))
                        .optLabels(data.create(y, new Shape(n)))
                        .setSampling(batch, false).build();
                loss = Loss.softmaxCrossEntropyLoss();
                inputShape = new Shape(batch, ROWS, COLS);
            }
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.001f)).optMomentum(0.9f).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(inputShape);
                if (Boolean.getBoolean("djl.rnn.verbose")) {
                    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                        System.err.println("  " + p.getKey() + " " + p.getValue().getArray().getShape());
                    }
                    try (NDManager m = trainer.getManager().newSubManager(); Batch b = dataset.getByRange(m, 0, batch)) {
                        NDList out = trainer.forward(b.getData());
                        System.err.printf(Locale.ROOT, "  output %s (std %.4g), loss at the first step %.4f (ln %d = %.4f)%n", out.head().getShape(),
                                out.head().sub(out.head().mean()).square().mean().sqrt().getFloat(),
                                loss.evaluate(b.getLabels(), out).getFloat(), lm ? VOCAB : CLASSES, Math.log(lm ? VOCAB : CLASSES));
                    }
                }
                run(trainer, dataset, batch, Math.max(10, steps));     // warm-up
                String engine = "PyTorch " + model.getNDManager().getEngine().getVersion();
                for (int t = 0; t < turns; t++) {
                    long t0 = System.nanoTime();
                    run(trainer, dataset, batch, steps);
                    double rate = (double) steps * batch / ((System.nanoTime() - t0) / 1e9);
                    StringBuilder row = new StringBuilder(String.format(Locale.ROOT,
                            "{\"framework\": \"djl\", \"workload\": \"%s\", \"batch\": %d, \"steps\": %d, \"turn\": %d, \"threads\": %d, \"samples_per_s\": %.2f",
                            workload, batch, steps, t, JniUtils.getNumThreads(), rate));
                    if (lm) row.append(String.format(Locale.ROOT, ", \"sequences_per_s\": %.2f, \"tokens_per_s\": %.1f", rate, rate * SEQ));
                    else row.append(String.format(Locale.ROOT, ", \"images_per_s\": %.2f", rate));
                    row.append(String.format(Locale.ROOT, ", \"engine\": \"%s\"}", engine));
                    System.out.println(row);
                    System.out.flush();
                }
                String profile = System.getProperty("djl.rnn.profile");
                if (profile != null) {
                    JniUtils.startProfile(false, true, false);
                    run(trainer, dataset, batch, 2);
                    JniUtils.stopProfile(profile);
                }
            }
            data.close();
        }
    }

    /** Steps through the resident batches in order: a slice each (a view of the one NDArray). */
    private static void run(Trainer trainer, ArrayDataset dataset, int batch, int steps) {
        for (int s = 0; s < steps; s++) {
            long from = (long) (s % RESIDENT_BATCHES) * batch;
            try (NDManager m = trainer.getManager().newSubManager();
                 Batch b = dataset.getByRange(m, from, from + batch)) {
                EasyTrain.trainBatch(trainer, b);
                trainer.step();
            }
        }
    }

    /** embedding(64, 64) → LSTM(128) → linear(64), on [N, T] ids; out [N, T, 64]. */
    static Block lstmLm() {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < VOCAB; i++) tokens.add(Integer.toString(i));
        // a vocabulary of exactly 64 tokens (no unknown token added): the embedding is [64, 64], and its
        // forward is a plain lookup of the ids it is given (torch::embedding)
        return new SequentialBlock()
                .add(TrainableWordEmbedding.builder().setVocabulary(new DefaultVocabulary(tokens)).setEmbeddingSize(EMBED).build())
                .add(LSTM.builder().setStateSize(HIDDEN).setNumLayers(1).optBatchFirst(true).build())
                .add(Linear.builder().setUnits(VOCAB).build());
    }

    /** GRU(128) over the 28 rows → the last step → linear(10). */
    static Block gruRows() {
        return new SequentialBlock()
                .add(GRU.builder().setStateSize(HIDDEN).setNumLayers(1).optBatchFirst(true).build())
                .add(x -> new NDList(x.singletonOrThrow().get(":, -1, :")))
                .add(Linear.builder().setUnits(CLASSES).build());
    }

    /** F.cross_entropy(out.reshape(-1, 64), y.reshape(-1)): the mean over all N·T tokens. */
    static final class PerTokenCrossEntropy extends Loss {
        private final Loss ce = Loss.softmaxCrossEntropyLoss();

        PerTokenCrossEntropy() {
            super("PerTokenCrossEntropy");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray out = predictions.singletonOrThrow();
            return ce.evaluate(new NDList(labels.singletonOrThrow().reshape(-1)),
                    new NDList(out.reshape(-1, out.getShape().get(out.getShape().dimension() - 1))));
        }
    }
}
