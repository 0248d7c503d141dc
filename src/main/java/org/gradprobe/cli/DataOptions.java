package org.gradprobe.cli;

import java.nio.file.Path;
import org.gradprobe.data.DataSets;
import org.gradprobe.data.FashionMnist;
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
}
