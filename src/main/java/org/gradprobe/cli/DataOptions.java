package org.gradprobe.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.gradprobe.data.AddingProblem;
import org.gradprobe.data.DataSets;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.data.SampleSet;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.Shapes;
import picocli.CommandLine.Option;

/**
 * What to train on, and how images are normalized. {@code --data} names a folder of images (IDX or
 * CIFAR-10 binary files) or a generated or built-in set: {@code adding} (the adding problem), whose
 * sequence length comes from the model's input; a folder of that name is given as {@code ./adding}.
 */
final class DataOptions {
    /** --data's description, shared with diagnose's own --data. */
    static final String SETS = "'adding' (the adding problem: sequences of T steps of a value and a marker, a regression; "
            + "T from --input Tx2, default " + AddingProblem.DEFAULT_STEPS + "x2; mse)";

    @Option(names = "--data", paramLabel = "DIR|adding", converter = Converters.NonEmpty.class,
            description = "Folder of MNIST/Fashion-MNIST IDX files or CIFAR-10 binary files (default: /usr/share/datasets/fashion-mnist "
                    + "when installed, else the subset shipped with gradprobe), or " + SETS + ".")
    String data;

    @Option(names = "--mean", defaultValue = "0.5", converter = Converters.Finite.class, description = "Normalization mean after x/255 (default: ${DEFAULT-VALUE}).")
    double mean;

    @Option(names = "--std", defaultValue = "0.5", converter = Converters.Positive.class, description = "Normalization std after x/255 (default: ${DEFAULT-VALUE}).")
    double std;

    /** The data --data names, for a model whose per-sample input is {@code input} (--input; null when not given). */
    SampleSet.Split load(int[] input, long seed) {
        return named(data, input, seed);
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
        return "adding".equals(data);
    }

    /**
     * The data {@code data} names (null: the default images) for a model whose per-sample input is
     * {@code input} (null when --input was not given): a sequence set takes its length from it, and
     * refuses an input of another form, naming --input.
     */
    static SampleSet.Split named(String data, int[] input, long seed) {
        if ("adding".equals(data)) {
            int[] in = input != null ? input : new int[] {AddingProblem.DEFAULT_STEPS, 2};
            if (in.length != 2 || in[1] != 2 || in[0] < 2) {
                throw new UsageException("--data adding takes sequences of T steps of 2 features (a value and a marker): give --input Tx2 "
                        + "with T >= 2, e.g. --input " + AddingProblem.DEFAULT_STEPS + "x2, not " + Shapes.dims(in));
            }
            return AddingProblem.split(in[0], seed);
        }
        FashionMnist.Split images = DataSets.load(folder(data));
        return new SampleSet.Split(images.train(), images.test(), images.source());
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
