package org.gradprobe.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.gradprobe.data.AddingProblem;
import org.gradprobe.data.CharText;
import org.gradprobe.data.DataSets;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.Shapes;
import picocli.CommandLine.Option;

/**
 * What to train on, and how images are normalized. {@code --data} names a folder of images (IDX or
 * CIFAR-10 binary files) or a set of sequences: {@code adding} (the adding problem) or {@code text}
 * ({@code text:FILE}: a character language model), whose length T comes from the model's input (and
 * the text's vocabulary from the model's output); a folder of such a name is given as {@code ./adding}.
 */
final class DataOptions {
    /** --data's description, shared with diagnose's own --data. */
    static final String SETS = "'adding' (the adding problem: sequences of T steps of a value and a marker, a regression; "
            + "T from --input Tx2, default " + AddingProblem.DEFAULT_STEPS + "x2; mse), or 'text' (a character language model: T character "
            + "ids in, the next character at every step out; T from --input T, default " + CharText.DEFAULT_STEPS + "; V from the model's "
            + "output [T,V]; per-token cross-entropy) on the licence texts every Debian system has in " + CharText.DEFAULT_DIR
            + ", or 'text:FILE' on a UTF-8 text file";

    @Option(names = "--data", paramLabel = "DIR|adding|text[:FILE]", converter = Converters.NonEmpty.class,
            description = "Folder of MNIST/Fashion-MNIST IDX files or CIFAR-10 binary files (default: /usr/share/datasets/fashion-mnist "
                    + "when installed, else the subset shipped with gradprobe), or " + SETS + ".")
    String data;

    @Option(names = "--mean", defaultValue = "0.5", converter = Converters.Finite.class, description = "Normalization mean after x/255 (default: ${DEFAULT-VALUE}).")
    double mean;

    @Option(names = "--std", defaultValue = "0.5", converter = Converters.Positive.class, description = "Normalization std after x/255 (default: ${DEFAULT-VALUE}).")
    double std;

    /**
     * The data --data names, for the model {@code spec} whose per-sample input is {@code input} (--input;
     * null when not given); a generated set draws from {@code seed}.
     */
    SampleSet.Split load(int[] input, String spec, long seed) {
        return named(data, input, spec, seed);
    }

    /** Images only (the demo's seed CNN): a folder, or by default Fashion-MNIST; a generated set is refused. */
    FashionMnist.Split images(String command) {
        if (isSet(data)) throw new UsageException("--data " + data + ": " + command + " trains on images; give a folder of IDX or CIFAR-10 files");
        return DataSets.load(folder(data));
    }

    /** What --data records in the run's settings. */
    String recorded() {
        return data == null ? "default" : data;
    }

    /** Whether {@code data} names a generated set rather than a folder. */
    static boolean isSet(String data) {
        return "adding".equals(data) || "text".equals(data) || data != null && data.startsWith("text:");
    }

    /**
     * The data {@code data} names (null: the default images) for the model {@code spec} whose per-sample
     * input is {@code input} (null when --input was not given): a sequence set takes its length from it,
     * and refuses an input of another form, naming --input.
     */
    static SampleSet.Split named(String data, int[] input, String spec, long seed) {
        if ("adding".equals(data)) {
            int[] in = input != null ? input : new int[] {AddingProblem.DEFAULT_STEPS, 2};
            if (in.length != 2 || in[1] != 2 || in[0] < 2) {
                throw new UsageException("--data adding takes sequences of T steps of 2 features (a value and a marker): give --input Tx2 "
                        + "with T >= 2, e.g. --input " + AddingProblem.DEFAULT_STEPS + "x2, not " + Shapes.dims(in));
            }
            return AddingProblem.split(in[0], seed);
        }
        if ("text".equals(data) || data != null && data.startsWith("text:")) {
            int[] in = input != null ? input : new int[] {CharText.DEFAULT_STEPS};
            if (in.length != 1) {
                throw new UsageException("--data " + data + " takes sequences of T character ids: give --input T, e.g. --input "
                        + CharText.DEFAULT_STEPS + ", not " + Shapes.dims(in));
            }
            if (data.equals("text:")) throw new UsageException("--data text: names no file (expected text:FILE)");
            // the text first: a missing file is named before the model is looked at
            CharText.Corpus corpus = CharText.corpus(data.equals("text") ? null : folder(data.substring("text:".length())));
            return corpus.split(in[0], vocabulary(data, spec, in), seed);
        }
        FashionMnist.Split images = DataSets.load(folder(data));
        return new SampleSet.Split(images.train(), images.test(), images.source());
    }

    /**
     * V for a character model {@code spec} on {@code input} [T]: its output must be [T, V], a score a step
     * and character; V is that, or fewer when it starts with an embedding of fewer rows (its ids must index them).
     */
    static int vocabulary(String data, String spec, int[] input) {
        ModelSpec.Plan plan = ModelSpec.plan(spec, input);
        int[] out = plan.layers().get(plan.layers().size() - 1).out();
        if (out.length != 2 || out[0] != input[0]) {
            throw new UsageException("--data " + data + " trains a model to predict the next character at every step: its output must be [T, V] "
                    + "(" + input[0] + " steps, a score a character), but '" + spec + "' gives " + Shapes.str(out));
        }
        int v = out[1];
        for (ModelSpec.LayerPlan l : plan.allLayers()) {
            int[] w = l.params().get("weight");
            if (l.kind().equals("embedding") && w != null && w.length == 2) v = Math.min(v, w[0]);
        }
        if (v < 2) throw new UsageException("--data " + data + ": the model's " + v + " output ids are too few (at least 2: a character and 'other')");
        return v;
    }

    private static Path folder(String data) {
        if (data == null) return null;
        try {
            return Path.of(data);
        } catch (InvalidPathException e) {
            throw new UsageException("--data: '" + data + "' is not a path: " + e.getReason());
        }
    }

    /** Bytes the sets hold on the heap. */
    static long bytes(SampleSet.Split data) {
        return (data.train() == null ? 0 : data.train().bytes()) + (data.test() == null ? 0 : data.test().bytes());
    }

    /**
     * The loss to train {@code data} with: {@code given} (--loss), else the one its targets are made for
     * (cross-entropy for classes, mse for values). A loss that takes the other kind of targets is a usage
     * error naming both.
     */
    static Loss loss(Loss given, SampleSet data) {
        boolean classes = data.classes() > 0;
        Loss l = given != null ? given : classes ? Loss.CROSS_ENTROPY : Loss.MSE;
        if (l.classTargets() != classes) {
            throw new UsageException("--loss " + l.key() + " takes " + (l.classTargets() ? "class indices" : "float values") + " as targets, but the training data ("
                    + data.name() + ") has " + (classes ? "class indices (use --loss cross-entropy)" : "values (use --loss mse or bce-logits)"));
        }
        return l;
    }
}
