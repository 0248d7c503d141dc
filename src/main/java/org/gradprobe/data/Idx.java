package org.gradprobe.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw (detected by content):
 * a big-endian magic 0x0000080D (D = number of dimensions, type 0x08 = unsigned byte), D big-endian
 * sizes, then the bytes. Images are 0x00000803, labels 0x00000801.
 */
public final class Idx {
    private Idx() {}

    /** An IDX file's dimensions and its data bytes. */
    public record Content(int[] dims, byte[] data) {}

    public static Content read(Path file, int expectedRank) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(file.toString(), raw, expectedRank);
    }

    public static Content read(String name, InputStream in, int expectedRank) {
        try (InputStream s = in) {
            return parse(name, s.readAllBytes(), expectedRank);
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    static Content parse(String name, byte[] raw, int expectedRank) {
        byte[] bytes = raw;
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream gz = new GZIPInputStream(new BufferedInputStream(new java.io.ByteArrayInputStream(raw)))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
                gz.transferTo(out);
                bytes = out.toByteArray();
            } catch (IOException e) {
                throw new DataException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
            }
        }
        if (bytes.length < 4) throw new DataException(name + ": truncated, " + bytes.length + " bytes, no IDX header");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int magic = b.getInt();
        int expectedMagic = 0x00000800 | expectedRank;
        if (magic != expectedMagic) {
            throw new DataException(String.format("%s: bad magic 0x%08X, expected 0x%08X (%s)", name, magic, expectedMagic,
                    expectedRank == 1 ? "labels" : "images"));
        }
        if (bytes.length < 4 + 4 * expectedRank) throw new DataException(name + ": truncated IDX header");
        int[] dims = new int[expectedRank];
        long total = 1;
        for (int i = 0; i < expectedRank; i++) {
            dims[i] = b.getInt();
            if (dims[i] < 0) throw new DataException(name + ": negative size " + dims[i] + " in header");
            total *= dims[i];
        }
        long have = bytes.length - b.position();
        if (have != total) {
            throw new DataException(name + ": " + (have < total ? "truncated" : "too long") + ", header announces " + total
                    + " data bytes, file has " + have);
        }
        byte[] data = new byte[(int) total];
        b.get(data);
        return new Content(dims, data);
    }
}
