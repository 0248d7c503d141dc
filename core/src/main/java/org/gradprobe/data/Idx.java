package org.gradprobe.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.gradprobe.io.Heap;
import org.gradprobe.io.InputFiles;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw (detected by content):
 * a big-endian magic 0x0000080D (D = number of dimensions, type 0x08 = unsigned byte), D big-endian
 * sizes, then the bytes. Images are 0x00000803, labels 0x00000801.
 */
public final class Idx {
    private Idx() {}

    /** An IDX file's dimensions and its data bytes. */
    public record Content(int[] dims, byte[] data) {}

    /**
     * Reads {@code file} by its header: the sizes it announces are checked against the file's size (a raw
     * file) and against what the heap can hold before the data array is allocated; the data is then read
     * straight into it, so a file of any size costs no more memory than its contents.
     */
    public static Content read(Path file, int expectedRank) {
        String problem = InputFiles.problem(file);
        if (problem != null) throw new DataException(file + ": " + problem);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return parse(file.toString(), in, Files.size(file), expectedRank);
        } catch (IOException e) {
            throw new DataException(file + ": " + InputFiles.reason(e), e);
        }
    }

    public static Content read(String name, InputStream in, int expectedRank) {
        try (InputStream s = new BufferedInputStream(in)) {
            return parse(name, s, -1, expectedRank);
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** {@code size}: the file's size in bytes, or -1 when not known (a stream). Gzip is detected by its magic bytes. */
    static Content parse(String name, InputStream raw, long size, int expectedRank) throws IOException {
        raw.mark(2);
        boolean gz = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        try {
            return parseIdx(name, gz ? new GZIPInputStream(raw, 1 << 16) : raw, gz ? -1 : size, expectedRank);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DataException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static Content parseIdx(String name, InputStream in, long size, int expectedRank) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4) throw new DataException(name + ": truncated, " + head.length + " bytes, no IDX header");
        int magic = ByteBuffer.wrap(head).getInt();
        int expectedMagic = 0x00000800 | expectedRank;
        if (magic != expectedMagic) {
            throw new DataException(String.format("%s: bad magic 0x%08X, expected 0x%08X (%s)", name, magic, expectedMagic,
                    expectedRank == 1 ? "labels" : "images"));
        }
        byte[] sizes = in.readNBytes(4 * expectedRank);
        if (sizes.length < 4 * expectedRank) throw new DataException(name + ": truncated IDX header");
        ByteBuffer b = ByteBuffer.wrap(sizes);
        int[] dims = new int[expectedRank];
        long total = 1;
        for (int i = 0; i < expectedRank; i++) {
            dims[i] = b.getInt();
            if (dims[i] < 0) throw new DataException(name + ": negative size " + dims[i] + " in header");
            total *= dims[i];                    // at most 3 sizes below 2^31: no overflow of a long
        }
        String announced = "header announces " + Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(" × "))
                + " = " + total + " data bytes";
        long header = 4 + 4L * expectedRank;
        if (size >= 0 && size - header != total) {
            throw new DataException(name + ": " + (size - header < total ? "truncated" : "too long") + ", " + announced
                    + ", file has " + (size - header));
        }
        if (total > Heap.MAX_ARRAY) {
            throw new DataException(name + ": " + announced + ", more than gradprobe holds in one array (" + Heap.bytes(Heap.MAX_ARRAY) + ")");
        }
        String shortfall = Heap.shortfall(total);
        if (shortfall != null) throw new DataException(name + ": " + announced + ", which " + shortfall);
        byte[] data = in.readNBytes((int) total);
        if (data.length < total) throw new DataException(name + ": truncated, " + announced + ", file has " + data.length);
        if (in.read() >= 0) throw new DataException(name + ": too long, " + announced + ", the file holds more");
        return new Content(dims, data);
    }
}
