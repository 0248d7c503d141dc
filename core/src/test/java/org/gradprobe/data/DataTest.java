package org.gradprobe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        for (int i = 0; i < dataBytes; i++) b.put((byte) (i % 10));
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void theBundledSubsetIsRealFashionMnist() {
        FashionMnist.Split s = FashionMnist.bundled();
        assertEquals(4000, s.train().size());
        assertEquals(1000, s.test().size());
        assertEquals(Arrays.toString(new int[] {1, 28, 28}), Arrays.toString(s.train().sampleShape()));
        Set<Integer> classes = new HashSet<>();
        for (int i = 0; i < s.train().size(); i++) classes.add(s.train().label(i));
        assertEquals(10, classes.size());
        assertEquals("Ankle boot", s.train().className(s.train().label(0)));   // the first Fashion-MNIST training image
    }

    @Test
    void readsGzipAndRawIdxFromAFolder() throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idx(0x803, new int[] {3, 2, 2}, 12)));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {3}, 3));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {1, 2, 2}, 4));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {1}, 1)));
        FashionMnist.Split s = FashionMnist.load(dir);
        assertEquals(3, s.train().size());
        assertEquals(2, s.train().label(2));
        assertEquals(3, s.train().pixel(0, 3));
    }

    private String idxError(String name, byte[] content, int rank) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        String m = assertThrows(DataException.class, () -> Idx.read(f, rank)).getMessage();
        assertTrue(m.startsWith(f.toString()), "names the file: " + m);
        return m;
    }

    @Test
    void badIdxFilesNameTheFileAndTheProblem() throws Exception {
        assertEquals(dir.resolve("a") + ": bad magic 0x00000801, expected 0x00000803 (images)",
                idxError("a", idx(0x801, new int[] {3}, 3), 3));
        assertTrue(idxError("b", idx(0x803, new int[] {3, 2, 2}, 7), 3).contains("truncated"));
        assertTrue(idxError("c", idx(0x803, new int[] {1, 2, 2}, 9), 3).contains("too long"));
        byte[] gz = gzip(idx(0x803, new int[] {3, 2, 2}, 12));
        assertTrue(idxError("d.gz", Arrays.copyOf(gz, gz.length / 2), 3).contains("gzip"));
        assertTrue(assertThrows(DataException.class, () -> Idx.read(dir.resolve("missing"), 3)).getMessage().contains("no such file"));
    }

    @Test
    void mismatchedCountsAndBadLabelsAreRejected() throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {3, 2, 2}, 12));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {2}, 2));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {1, 2, 2}, 4));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {1}, 1));
        String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
        assertTrue(m.contains("3 images") && m.contains("2 labels"), m);
    }

    @Test
    void cifarReaderChecksRecordSize() throws Exception {
        byte[] one = new byte[Cifar10.RECORD * 2];
        one[0] = 3;
        one[Cifar10.RECORD] = 9;
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, one);
        Dataset d = Cifar10.read("train", f);
        assertEquals(2, d.size());
        assertEquals(9, d.label(1));
        Files.write(f, Arrays.copyOf(one, one.length - 1));
        String m = assertThrows(DataException.class, () -> Cifar10.read("train", f)).getMessage();
        assertTrue(m.startsWith(f.toString()) && m.contains("3073"), m);
    }

    @Test
    void batchesShuffleBySeedAndNormalize() {
        Dataset d = FashionMnist.bundled().test().head(10);
        Batches a = new Batches(d, 4, new SplittableRandom(1), 0.5, 0.5, DType.FLOAT32);
        Batches b = new Batches(d, 4, new SplittableRandom(1), 0.5, 0.5, DType.FLOAT32);
        assertEquals(3, a.count());
        assertEquals(2, a.get(2).labels().length);
        assertEquals(2, a.get(2).samples());
        assertEquals(Arrays.toString(a.get(0).labels()), Arrays.toString(b.get(0).labels()));
        Set<Integer> seen = new HashSet<>();
        for (Batches.Batch x : new Batches(d, 3, new SplittableRandom(5), 0.5, 0.5, DType.FLOAT64)) {
            for (int i = 0; i < x.input().numel(); i++) assertTrue(x.input().get(i) >= -1 && x.input().get(i) <= 1);
            for (int t : x.labels()) seen.add(t);
        }
        Batches plain = new Batches(d, 10, null, 0.5, 0.5, DType.FLOAT64);
        assertEquals((d.pixel(0, 300) / 255.0 - 0.5) / 0.5, plain.get(0).input().get(300), 1e-15);
    }

    /** A raw IDX images file whose header announces {@code count} images of rows × cols, sized to match but sparse. */
    static Path sparseIdx(Path f, int count, int rows, int cols) throws Exception {
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            r.writeInt(0x803);
            r.writeInt(count);
            r.writeInt(rows);
            r.writeInt(cols);
            r.setLength(16 + (long) count * rows * cols);
        }
        return f;
    }

    @Test
    void anIdxFileOfManyGigabytesIsRefusedByItsHeader() throws Exception {
        Path f = sparseIdx(dir.resolve("big-idx3-ubyte"), 3_000_000, 28, 28);     // 2.2 GB, sparse
        String m = assertThrows(DataException.class, () -> Idx.read(f, 3)).getMessage();
        assertTrue(m.startsWith(f + ": header announces 3000000 × 28 × 28 = 2352000000 data bytes, more than gradprobe holds"), m);
        Path g = sparseIdx(dir.resolve("mid-idx3-ubyte"), 1_000_000, 28, 28);
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(g.toFile(), "rw")) {
            r.setLength(r.length() - 1);
        }
        m = assertThrows(DataException.class, () -> Idx.read(g, 3)).getMessage();
        assertTrue(m.contains("truncated") && m.contains("file has 783999999"), m);
    }

    private void writeSet(String prefix, int count, int rows, int cols) throws Exception {
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), idx(0x803, new int[] {count, rows, cols}, count * rows * cols));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), idx(0x801, new int[] {count}, count));
    }

    @Test
    void anEmptySetIsAnErrorNamingTheFile() throws Exception {
        writeSet("train", 0, 2, 2);
        writeSet("t10k", 1, 2, 2);
        String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
        assertTrue(m.startsWith(dir.resolve("train-images-idx3-ubyte") + ": no images"), m);
    }

    @Test
    void trainAndTestImagesOfDifferentSizesAreFoundBeforeTraining() throws Exception {
        writeSet("train", 2, 2, 2);
        writeSet("t10k", 1, 3, 3);
        String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
        assertTrue(m.startsWith(dir.resolve("t10k-images-idx3-ubyte") + ": test images are 1x3x3, expected 1x2x2"), m);
    }

    @Test
    void aDirectoryOrALinkLoopInPlaceOfAFileIsSaidAsSuch() throws Exception {
        writeSet("t10k", 1, 2, 2);
        Files.createDirectory(dir.resolve("train-images-idx3-ubyte.gz"));
        assertTrue(assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage().contains("is a directory"));
        Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));
        Path loop = dir.resolve("train-images-idx3-ubyte");
        Files.createSymbolicLink(loop, loop.getFileName());
        assertTrue(assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage().contains("symbolic link loop"));
        Path file = dir.resolve("t10k-labels-idx1-ubyte");
        assertTrue(assertThrows(DataException.class, () -> FashionMnist.load(file)).getMessage().contains("is a file, expected a folder"));
    }

    @Test
    void cifarFilesTooLargeForTheHeapAreRefusedBeforeReading() throws Exception {
        Path f = dir.resolve("data_batch_1.bin");
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            r.setLength((long) Cifar10.RECORD * 800_000);          // 2.5 GB, sparse
        }
        String m = assertThrows(DataException.class, () -> Cifar10.read("train", f)).getMessage();
        assertTrue(m.startsWith(f + ": 800000 records") && m.contains("more than gradprobe holds in one array"), m);
    }
}
