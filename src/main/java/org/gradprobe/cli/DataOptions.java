package org.gradprobe.cli;

import java.nio.file.Path;
import org.gradprobe.data.DataSets;
import org.gradprobe.data.FashionMnist;
import picocli.CommandLine.Option;

/** Where the images come from and how they are normalized. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder of MNIST/Fashion-MNIST IDX files or CIFAR-10 binary files (default: "
                    + "/usr/share/datasets/fashion-mnist when installed, else the subset shipped with gradprobe).")
    Path dir;

    @Option(names = "--mean", defaultValue = "0.5", description = "Normalization mean after x/255 (default: ${DEFAULT-VALUE}).")
    double mean;

    @Option(names = "--std", defaultValue = "0.5", description = "Normalization std after x/255 (default: ${DEFAULT-VALUE}).")
    double std;

    FashionMnist.Split load() {
        Converters.positive("--std", std);
        return DataSets.load(dir);
    }
}
