package org.gradprobe.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsF32F64AndI64WithMetadata() {
        Path f = dir.resolve("t.safetensors");
        Tensor a = Tensor.of(DType.FLOAT32, new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6});
        Tensor b = Tensor.of(DType.FLOAT64, new int[] {}, new double[] {Math.PI});
        new SafeTensors.Writer().put("a", a).put("b", b).putLongs("t", new int[] {3}, new long[] {7, -1, 1L << 40})
                .metadata("spec", "relu").write(f);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals("relu", c.metadata().get("spec"));
        assertArrayEquals(a.doubles(), c.require("a").toTensor("t").doubles(), 0.0);
        assertEquals(Math.PI, c.require("b").toTensor("t").item());
        assertArrayEquals(new long[] {7, -1, 1L << 40}, c.require("t").toLongs("t"));
        assertEquals(0, (Files.exists(f) ? 8 + headerLength(f) : -1) % 8, "data starts 8-byte aligned");
    }

    private static long headerLength(Path f) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String errorOf(byte[] content) throws Exception {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, content);
        String m = assertThrows(SafeTensors.SafeTensorsException.class, () -> SafeTensors.read(f)).getMessage();
        assertTrue(m.startsWith(f.toString()), "names the file: " + m);
        return m;
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    @Test
    void badFilesGiveOneLineNamingTheFileAndTheProblem() throws Exception {
        assertTrue(errorOf(new byte[3]).contains("truncated"));
        assertTrue(errorOf(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4)).contains("outside"));
        assertTrue(errorOf(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)).contains("needs 12"));
        assertTrue(errorOf(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],", 8)).contains("corrupt header"));
        assertTrue(errorOf(file("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("unknown dtype Q7"));
        byte[] huge = file("{}", 0);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertTrue(errorOf(huge).contains("header length"));
        assertTrue(assertThrows(SafeTensors.SafeTensorsException.class, () -> SafeTensors.read(dir.resolve("none.safetensors")))
                .getMessage().contains("no such file"));
    }

    @Test
    void aTruncatedCopyOfARealFileIsRejected() throws Exception {
        Path f = dir.resolve("ok.safetensors");
        new SafeTensors.Writer().put("w", Tensor.zeros(DType.FLOAT64, 10, 10)).write(f);
        byte[] all = Files.readAllBytes(f);
        assertTrue(errorOf(Arrays.copyOf(all, all.length - 5)).contains("outside"));
    }

    @Test
    void aFailedWriteLeavesNoFileBehind() throws Exception {
        Path f = dir.resolve("never.safetensors");
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(f, out -> {
            out.write(new byte[100]);
            throw new IllegalStateException("crash in the middle");
        }));
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "neither the target nor a temporary remains");
        }
    }

    /** A safetensors file holding one tensor of {@code numel} elements of {@code dtype}, made sparse: no data on disk. */
    static Path sparse(Path f, String dtype, long numel, int width) throws Exception {
        String shape = numel > Integer.MAX_VALUE ? "3," + numel / 3 : Long.toString(numel);
        String h = "{\"big\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + shape + "],\"data_offsets\":[0," + numel * width + "]}}";
        byte[] hb = h.getBytes(StandardCharsets.UTF_8);
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            r.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
            r.write(hb);
            r.setLength(8 + hb.length + numel * width);
        }
        return f;
    }

    @Test
    void aFileOfManyGigabytesIsOpenedByItsHeaderAndItsTensorRefusedWithItsSize() throws Exception {
        Path f = sparse(dir.resolve("big.safetensors"), "F32", 1L << 30, 4);      // 4 GiB, sparse
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new int[] {1 << 30}, c.require("big").shape());
        assertTrue(Files.size(f) > (4L << 30));
        String m = assertThrows(SafeTensors.SafeTensorsException.class, () -> c.require("big").toTensor()).getMessage();
        assertTrue(m.startsWith(f + ": tensor 'big'"), m);
        assertTrue(m.contains("4.0 GiB") && m.contains("heap"), m);
        Path g = sparse(dir.resolve("huger.safetensors"), "F32", 3L << 30, 4);    // more elements than an array holds
        m = assertThrows(SafeTensors.SafeTensorsException.class, () -> SafeTensors.read(g).require("big").toTensor()).getMessage();
        assertTrue(m.contains("more than gradprobe holds in one array"), m);
    }

    @Test
    void tensorsAreReadInPiecesAcrossTheBufferSize() throws Exception {
        Path f = dir.resolve("mid.safetensors");
        Tensor a = Tensor.zeros(DType.FLOAT64, 300_001);
        for (int i = 0; i < a.numel(); i++) a.set(i, i * 0.5);
        new SafeTensors.Writer().put("a", a).putLongs("n", new int[] {3}, new long[] {1, 2, 3}).write(f);
        assertArrayEquals(a.doubles(), SafeTensors.read(f).require("a").toTensor().doubles(), 0.0);
    }

    @Test
    void directoriesLinkLoopsAndBadMetadataAreSaidAsSuch() throws Exception {
        assertTrue(assertThrows(SafeTensors.SafeTensorsException.class, () -> SafeTensors.read(dir)).getMessage().contains("is a directory"));
        Path loop = dir.resolve("loop.safetensors");
        Files.createSymbolicLink(loop, loop.getFileName());
        assertTrue(assertThrows(SafeTensors.SafeTensorsException.class, () -> SafeTensors.read(loop)).getMessage().contains("symbolic link loop"));
        assertTrue(errorOf(file("{\"__metadata__\":{\"spec\":3}}", 0)).contains("metadata 'spec' is 3, expected a string"));
        assertTrue(errorOf(file("{\"__metadata__\":[1]}", 0)).contains("__metadata__ is [1], expected an object"));
        byte[] latin = file("{\"a\":\"?\"}", 0);                // then the ? becomes a lone Latin-1 byte
        latin[8 + 6] = (byte) 0xe9;
        assertTrue(errorOf(latin).contains("not valid UTF-8"));
    }
}
