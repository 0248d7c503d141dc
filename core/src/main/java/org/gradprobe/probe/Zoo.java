package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.gradprobe.data.AddingProblem;
import org.gradprobe.data.CharText;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Adam;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.optim.RmsProp;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.train.Trainer;

/**
 * The pathology zoo: named scenarios with the verdicts they must produce. Each is a short run on the
 * Fashion-MNIST subset shipped with gradprobe (as images or as rows), the adding problem or a text; {@code expect} lists the verdicts that must appear (on
 * some layer, or for the loss), and a healthy scenario must raise nothing at all.
 */
public final class Zoo {
    private Zoo() {}

    /**
     * @param expect      verdicts that must be raised somewhere (diverging: by the loss); empty = all healthy
     * @param early       verdicts that must be raised in the first half of the layers
     * @param data        where its samples come from; {@code input} its per-sample input shape
     * @param lossBelow   when not NaN, the recent loss (the loss verdict's) must end below it: the network learned
     */
    public record Scenario(String name, String description, String spec, String init, Double biasInit, String optimizer, double lr,
                           int batch, int steps, Set<Verdict> expect, Set<Verdict> early, Data data, int[] input, double lossBelow) {
        /** An image scenario: the Fashion-MNIST subset as 1×28×28 images. */
        public Scenario(String name, String description, String spec, String init, Double biasInit, String optimizer, double lr,
                        int batch, int steps, Set<Verdict> expect, Set<Verdict> early) {
            this(name, description, spec, init, biasInit, optimizer, lr, batch, steps, expect, early, Data.FASHION, new int[] {1, 28, 28},
                    Double.NaN);
        }

        public boolean healthy() {
            return expect.isEmpty();
        }

        /** The options that reproduce it with train or diagnose ("--input 100x2 --data adding" ...), after its spec. */
        public String options() {
            return (data == Data.ADDING ? " --data adding" : data == Data.TEXT ? " --data text" : "") + (input.length == 3 && input[0] == 1 && input[1] == 28 ? "" : " --input " + Shapes.dims(input))
                    + (init.equals("default") ? "" : " --init " + init) + (biasInit == null ? "" : " --bias-init " + biasInit);
        }
    }

    /**
     * Where a scenario's samples come from: the bundled Fashion-MNIST subset (images, or rows), the adding
     * problem, or the characters of the Debian licence texts (64 ids).
     */
    public enum Data {
        FASHION, ADDING, TEXT;

        SampleSet train(int[] input, long seed) {
            return switch (this) {
                case FASHION -> FashionMnist.bundled().train();
                case ADDING -> AddingProblem.split(input[0], seed).train();
                case TEXT -> CharText.load(input[0], CharText.DEFAULT_VOCABULARY, seed).train();
            };
        }

        Loss loss() {
            return this == ADDING ? Loss.MSE : Loss.CROSS_ENTROPY;
        }
    }

    public static List<Scenario> scenarios() {
        return List.of(
                new Scenario("seed-cnn", "the seed CNN with its recipe (SGD lr 0.001, momentum 0.9)", "seed-cnn", "default", null, "sgd",
                        0.001, 16, 150, Set.of(), Set.of()),
                new Scenario("deep-sigmoid", "a 10-layer sigmoid MLP: gradients vanish toward the input", "mlp(10,64,sigmoid)", "default", null,
                        "sgd", 0.01, 32, 80, Set.of(Verdict.VANISHING), Set.of(Verdict.VANISHING)),
                new Scenario("deep-tanh-large-init", "a 12-layer tanh MLP with weights drawn far too large: saturated units, vanishing gradients",
                        "mlp(12,64,tanh)", "normal(1.0)", null, "sgd", 0.01, 32, 80, Set.of(Verdict.SATURATED, Verdict.VANISHING),
                        Set.of(Verdict.VANISHING)),
                new Scenario("deep-relu-exploding", "an 8-layer ReLU MLP initialized 4x above He scale: gradients explode toward the input",
                        "mlp(8,64,relu)", "he-normal*4", null, "sgd", 1e-9, 32, 60, Set.of(Verdict.EXPLODING), Set.of(Verdict.EXPLODING)),
                new Scenario("dead-relu", "a ReLU MLP with biases initialized at -3: most units never fire", "mlp(4,64,relu)", "default", -3.0,
                        "sgd", 0.01, 32, 80, Set.of(Verdict.DEAD), Set.of()),
                new Scenario("seed-cnn-lr-too-high", "the seed CNN with SGD lr 1000: the loss diverges, weights overflow to Inf",
                        "seed-cnn", "default", null, "sgd", 1000, 16, 60, Set.of(Verdict.NONFINITE, Verdict.DIVERGING), Set.of()),
                new Scenario("deep-batchnorm", "a 10-layer ReLU MLP kept healthy by batch norm", "mlp-bn(10,64,relu)", "he-normal", 0.0, "sgd",
                        0.01, 32, 120, Set.of(), Set.of()),
                new Scenario("deep-residual", "a 10-block ReLU MLP rescued by residual connections", "resmlp(10,64,relu)", "default", null, "sgd",
                        0.01, 32, 120, Set.of(), Set.of()),
                new Scenario("rnn-adding", "a tanh RNN on the adding problem at T=100: the gradient vanishes on its way back through the steps",
                        "rnn(64) last linear(1)", "default", null, "sgd", 0.01, 32, 60, Set.of(Verdict.VANISHING_THROUGH_TIME), Set.of(),
                        Data.ADDING, new int[] {100, 2}, Double.NaN),
                new Scenario("lstm-adding", "an LSTM on the same task: after a plateau of about 3,000 steps it learns to carry the gradient "
                        + "back through all 100 steps, and its loss falls far below the 0.167 of always answering 1", "lstm(64) last linear(1)",
                        "default", null, "adam", 0.001, 32, 4400, Set.of(), Set.of(), Data.ADDING, new int[] {100, 2}, 0.03),
                new Scenario("relu-rnn-exploding", "a relu RNN whose recurrent weights are 1.3 times the identity: the gradient grows through time "
                        + "until it overflows", "rnn(64,nonlinearity=relu) last linear(1)", "identity*1.3", null, "sgd", 0.01, 32, 30,
                        Set.of(Verdict.EXPLODING_THROUGH_TIME, Verdict.NONFINITE), Set.of(), Data.ADDING, new int[] {100, 2}, Double.NaN),
                new Scenario("gru-rows", "a GRU reading Fashion-MNIST images as 28 rows of 28 pixels", "gru(64) last linear(10)", "default", null,
                        "adam", 0.003, 32, 80, Set.of(), Set.of(), Data.FASHION, new int[] {28, 28}, Double.NaN),
                new Scenario("char-lstm", "a character language model (embedding, LSTM, a prediction at every step) on the Debian licence "
                        + "texts: healthy, and it learns (per-token loss from ln 64 = 4.16 to below 2.8)", "embedding(64,32) lstm(128) linear(64)",
                        "default", null, "adam", 0.003, 32, 150, Set.of(), Set.of(), Data.TEXT, new int[] {64}, 2.8));
    }

    public static Scenario find(String name) {
        for (Scenario s : scenarios()) if (s.name().equals(name)) return s;
        return null;
    }

    /** Runs a scenario on the bundled Fashion-MNIST subset, recording every step. */
    public static Diagnosis run(Scenario s, long seed) {
        Model model = model(s, seed);
        return Diagnosis.run(model, optimizer(s, model), s.data().train(s.input(), seed), settings(s, seed), ProbeConfig.defaults().withEvery(1));
    }

    /** The scenario's network, for its input shape, initialized from {@code seed}. */
    public static Model model(Scenario s, long seed) {
        return ModelSpec.build(s.spec(), s.input(), DType.FLOAT32, Init.parse(s.init(), s.biasInit()), seed);
    }

    /** The scenario's optimizer on {@code model}'s parameters. */
    public static Optimizer optimizer(Scenario s, Model model) {
        return switch (s.optimizer()) {
            case "adam" -> new Adam(model.parameters(), s.lr());
            case "adamw" -> Adam.adamW(model.parameters(), s.lr());
            case "rmsprop" -> new RmsProp(model.parameters(), s.lr());
            default -> new Sgd(model.parameters(), s.lr(), 0.9);
        };
    }

    /** The scenario's training: its steps of its batch size. */
    public static Trainer.Settings settings(Scenario s, long seed) {
        return Trainer.Settings.defaults().withSteps(s.steps()).withBatchSize(s.batch()).withSeed(seed).withLoss(s.data().loss());
    }

    /** What the diagnosis got wrong for this scenario; empty when it gave exactly the expected verdicts. */
    public static List<String> check(Scenario s, Diagnosis d) {
        List<String> problems = new ArrayList<>();
        if (!Double.isNaN(s.lossBelow()) && !(d.loss().last() != null && d.loss().last() < s.lossBelow())) {
            problems.add("expected the recent loss below " + s.lossBelow() + ", got " + d.loss().last());
        }
        if (s.healthy()) {
            if (!d.healthy()) {
                for (LayerVerdict v : d.layers()) if (!v.healthy()) problems.add(v.name() + " " + v.verdicts() + " " + v.evidence().toJson());
                if (d.firstNonFinite() != null) problems.add("non-finite: " + d.firstNonFinite().describe());
                if (!d.loss().healthy()) problems.add("loss " + d.loss().toJson());
            }
            return problems;
        }
        for (Verdict want : s.expect()) {
            boolean found = want == Verdict.DIVERGING ? d.loss().verdicts().contains(Verdict.DIVERGING)
                    : d.layers().stream().anyMatch(v -> v.verdicts().contains(want));
            if (!found) problems.add("expected " + want + " somewhere, got " + summary(d));
        }
        int half = Math.max(1, d.layers().size() / 2);
        for (Verdict want : s.early()) {
            if (d.layers().subList(0, half).stream().noneMatch(v -> v.verdicts().contains(want))) {
                problems.add("expected " + want + " in the first half of the layers, got " + summary(d));
            }
        }
        return problems;
    }

    public static String summary(Diagnosis d) {
        StringBuilder sb = new StringBuilder();
        for (LayerVerdict v : d.layers()) sb.append(v.name()).append('=').append(v.verdicts()).append(' ');
        return sb.append("loss=").append(d.loss().verdict()).toString();
    }
}
