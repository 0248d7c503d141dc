package org.gradprobe.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Picks the reader for a data folder: CIFAR-10 binary when it holds any of its files, IDX otherwise. */
public final class DataSets {
    private DataSets() {}

    /** {@code dir} null: Fashion-MNIST from Debian's package, else the bundled subset. */
    public static FashionMnist.Split load(Path dir) {
        if (dir != null && looksLikeCifar(dir)) return Cifar10.load(dir);    // which then names a missing file as such
        return FashionMnist.load(dir);
    }

    private static boolean looksLikeCifar(Path dir) {
        if (Files.exists(dir.resolve("test_batch.bin")) || Files.exists(dir.resolve("batches.meta.txt"))) return true;
        for (int i = 1; i <= 5; i++) if (Files.exists(dir.resolve("data_batch_" + i + ".bin"))) return true;
        return false;
    }
}
