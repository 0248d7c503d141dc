package org.gradprobe.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reader of CIFAR-10's binary version: files {@code data_batch_1.bin} … {@code data_batch_5.bin} and
 * {@code test_batch.bin}, each record one label byte (0–9) and 3×32×32 pixel bytes (channel-major).
 */
public final class Cifar10 {
    public static final String[] CLASSES = {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"
    };
    static final int RECORD = 1 + 3 * 32 * 32;

    private Cifar10() {}

    public static FashionMnist.Split load(Path dir) {
        if (!Files.isDirectory(dir)) throw new DataException(dir + ": no such directory (expected CIFAR-10 binary files)");
        Path[] train = new Path[5];
        for (int i = 0; i < 5; i++) train[i] = dir.resolve("data_batch_" + (i + 1) + ".bin");
        return new FashionMnist.Split(read("train", train), read("test", dir.resolve("test_batch.bin")), dir.toString());
    }

    /** Reads and concatenates CIFAR-10 binary files. */
    public static Dataset read(String split, Path... files) {
        byte[][] parts = new byte[files.length][];
        long records = 0;
        for (int f = 0; f < files.length; f++) {
            try {
                parts[f] = Files.readAllBytes(files[f]);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new DataException(files[f] + ": no such file");
            } catch (IOException e) {
                throw new DataException(files[f] + ": cannot read: " + e.getMessage(), e);
            }
            if (parts[f].length == 0 || parts[f].length % RECORD != 0) {
                throw new DataException(files[f] + ": size " + parts[f].length + " is not a positive multiple of the "
                        + RECORD + "-byte CIFAR-10 record (truncated or not CIFAR-10 binary)");
            }
            records += parts[f].length / RECORD;
        }
        byte[] pixels = new byte[(int) records * (RECORD - 1)];
        int[] labels = new int[(int) records];
        int r = 0;
        for (int f = 0; f < files.length; f++) {
            for (int off = 0; off < parts[f].length; off += RECORD, r++) {
                labels[r] = parts[f][off] & 0xff;
                if (labels[r] > 9) throw new DataException(files[f] + ": label " + labels[r] + " in record " + off / RECORD + " is outside 0..9");
                System.arraycopy(parts[f], off + 1, pixels, r * (RECORD - 1), RECORD - 1);
            }
        }
        return new Dataset(split, pixels, labels, new int[] {3, 32, 32}, 10, CLASSES);
    }
}
