package org.gradprobe.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Picks the reader for a data folder: CIFAR-10 binary when it holds data_batch_1.bin, IDX otherwise. */
public final class DataSets {
    private DataSets() {}

    /** {@code dir} null: Fashion-MNIST from Debian's package, else the bundled subset. */
    public static FashionMnist.Split load(Path dir) {
        if (dir != null && Files.isRegularFile(dir.resolve("data_batch_1.bin"))) return Cifar10.load(dir);
        return FashionMnist.load(dir);
    }
}
