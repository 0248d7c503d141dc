package org.gradprobe.cli;

import java.nio.file.Path;
import org.gradprobe.data.DataSets;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.data.SampleSet;
import org.gradprobe.ops.Loss;
import picocli.CommandLine.Option;

/** Where the images come from and how they are normalized. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "DIR", converter = Converters.NonEmptyPath.class,
            description = "Folder of MNIST/Fashion-MNIST IDX files or CIFAR-10 binary files (default: "
                    + "/usr/share/datasets/fashion-mnist when installed, else the subset shipped with gradprobe).")
    Path dir;

    @Option(names = "--mean", defaultValue = "0.5", converter = Converters.Finite.class, description = "Normalization mean after x/255 (default: ${DEFAULT-VALUE}).")
    double mean;

    @Option(names = "--std", defaultValue = "0.5", converter = Converters.Positive.class, description = "Normalization std after x/255 (default: ${DEFAULT-VALUE}).")
    double std;

    FashionMnist.Split load() {
        return DataSets.load(dir);
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
