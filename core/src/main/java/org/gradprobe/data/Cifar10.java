package org.gradprobe.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gradprobe.io.Heap;
import org.gradprobe.io.InputFiles;

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
        String problem = InputFiles.folderProblem(dir);
        if (problem != null) throw new DataException(dir + ": " + problem + " (expected CIFAR-10 binary files)");
        Path[] train = new Path[5];
        for (int i = 0; i < 5; i++) train[i] = dir.resolve("data_batch_" + (i + 1) + ".bin");
        return new FashionMnist.Split(read("train", train), read("test", dir.resolve("test_batch.bin")), dir.toString());
    }

    /**
     * Reads and concatenates CIFAR-10 binary files. Their sizes are checked (whole records) and their
     * total against the heap before anything is read; the records are then read straight into place.
     */
    public static Dataset read(String split, Path... files) {
        long records = 0;
        long[] sizes = new long[files.length];
        for (int f = 0; f < files.length; f++) {
            String problem = InputFiles.problem(files[f]);
            if (problem != null) throw new DataException(files[f] + ": " + problem + " (expected a CIFAR-10 binary file)");
            try {
                sizes[f] = Files.size(files[f]);
            } catch (IOException e) {
                throw new DataException(files[f] + ": " + InputFiles.reason(e), e);
            }
            if (sizes[f] == 0 || sizes[f] % RECORD != 0) {
                throw new DataException(files[f] + ": size " + sizes[f] + " is not a positive multiple of the "
                        + RECORD + "-byte CIFAR-10 record (truncated, empty or not CIFAR-10 binary)");
            }
            records += sizes[f] / RECORD;
            if (records * (RECORD - 1) > Heap.MAX_ARRAY) {
                throw new DataException(files[f] + ": " + sizes[f] / RECORD + " records (" + records + " with the files before it) hold "
                        + Heap.bytes(records * (RECORD - 1)) + " of pixels, more than gradprobe holds in one array (" + Heap.bytes(Heap.MAX_ARRAY) + ")");
            }
        }
        long bytes = records * (RECORD - 1);
        String shortfall = Heap.shortfall(bytes);
        if (shortfall != null) {
            throw new DataException(files[0].toAbsolutePath().getParent() + ": " + records + " CIFAR-10 records in " + files.length + " files "
                    + shortfall);
        }
        byte[] pixels = new byte[(int) bytes];
        int[] labels = new int[(int) records];
        byte[] record = new byte[RECORD];
        int r = 0;
        for (int f = 0; f < files.length; f++) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(files[f]), 1 << 16)) {
                for (long i = 0; i < sizes[f] / RECORD; i++, r++) {
                    if (in.readNBytes(record, 0, RECORD) < RECORD) throw new DataException(files[f] + ": truncated while reading record " + i);
                    labels[r] = record[0] & 0xff;
                    if (labels[r] > 9) throw new DataException(files[f] + ": label " + labels[r] + " in record " + i + " is outside 0..9");
                    System.arraycopy(record, 1, pixels, r * (RECORD - 1), RECORD - 1);
                }
            } catch (IOException e) {
                throw new DataException(files[f] + ": " + InputFiles.reason(e), e);
            }
        }
        return new Dataset(split, pixels, labels, new int[] {3, 32, 32}, 10, CLASSES);
    }
}
