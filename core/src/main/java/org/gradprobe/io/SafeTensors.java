package org.gradprobe.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.kernels.Storage;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to
 * {dtype, shape, data_offsets} (plus optional string {@code __metadata__}), then the little-endian
 * data. Reads F32, F64 and I64 (and I32); writes F32, F64 and I64. Every check names the file.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /**
     * One stored tensor: its safetensors dtype name, shape, and where its little-endian bytes lie in the
     * file. The bytes are read when asked for, one tensor at a time, after a check that they fit the heap.
     */
    public record Entry(String file, Path path, String name, String dtype, int[] shape, long position, long length) {
        /** As a float tensor (F32 or F64). */
        public Tensor toTensor() {
            int n = elements(dtype.equals("F64") ? 8 : 4);
            switch (dtype) {
                case "F32": {
                    float[] a = new float[n];
                    read(4, (b, from, count) -> b.asFloatBuffer().get(a, from, count));
                    return Tensor.wrap(a, shape);
                }
                case "F64": {
                    double[] a = new double[n];
                    read(8, (b, from, count) -> b.asDoubleBuffer().get(a, from, count));
                    return Tensor.wrap(a, shape);
                }
                default:
                    throw new SafeTensorsException(file + ": tensor '" + name + "' has dtype " + dtype + ", expected F32 or F64"
                            + (SUPPORTED.contains(dtype) ? "" : " (" + dtype + " is not supported: convert it, in PyTorch t.float())"));
            }
        }

        /** As {@link #toTensor()}; {@code file} is ignored (the entry knows its file). */
        public Tensor toTensor(String file) {
            return toTensor();
        }

        /** As integers (I64 or I32). */
        public long[] toLongs() {
            int n = elements(8);
            long[] a = new long[n];
            switch (dtype) {
                case "I64": read(8, (b, from, count) -> b.asLongBuffer().get(a, from, count)); return a;
                case "I32": read(4, (b, from, count) -> { for (int i = 0; i < count; i++) a[from + i] = b.getInt(); }); return a;
                default: throw new SafeTensorsException(file + ": tensor '" + name + "' has dtype " + dtype + ", expected I64 (or I32)");
            }
        }

        /** As {@link #toLongs()}; {@code file} is ignored. */
        public long[] toLongs(String file) {
            return toLongs();
        }

        /** The raw bytes. */
        public byte[] bytes() {
            byte[] a = new byte[Math.toIntExact(elements(bytesOf(dtype)) * (long) bytesOf(dtype))];
            read(1, (b, from, count) -> b.get(a, from, count));
            return a;
        }

        /** The element count, after checking that an array of them, {@code width} bytes each, fits in the heap. */
        private int elements(int width) {
            long n = length / bytesOf(dtype), bytes = n * width;
            if (n > Heap.MAX_ARRAY) {
                throw new SafeTensorsException(file + ": tensor '" + name + "' has " + n + " elements, more than gradprobe holds in one array ("
                        + Heap.MAX_ARRAY + ")");
            }
            String shortfall = Heap.shortfall(bytes);
            if (shortfall != null) throw new SafeTensorsException(file + ": tensor '" + name + "' " + Shapes.str(shape) + " " + shortfall);
            return (int) n;
        }

        private interface Chunk {
            void take(ByteBuffer b, int from, int count);
        }

        /** Reads the tensor's bytes in pieces of at most 1 MiB, handing each to {@code take} as {@code count} elements from element {@code from}. */
        private void read(int width, Chunk take) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = ch.size();
                if (position + length > size) {
                    throw new SafeTensorsException(file + ": truncated while reading: tensor '" + name + "' ends at byte " + (position + length)
                            + ", the file has " + size);
                }
                int perChunk = Math.max(1, (1 << 20) / width);
                ByteBuffer buf = ByteBuffer.allocate(perChunk * width).order(ByteOrder.LITTLE_ENDIAN);
                long total = length / width;
                for (long done = 0; done < total; ) {
                    int count = (int) Math.min(perChunk, total - done);
                    buf.clear().limit(count * width);
                    long at = position + done * width;
                    while (buf.hasRemaining()) {
                        int r = ch.read(buf, at + buf.position());
                        if (r < 0) throw new SafeTensorsException(file + ": truncated while reading tensor '" + name + "'");
                    }
                    buf.flip();
                    take.take(buf, (int) done, count);
                    done += count;
                }
            } catch (IOException e) {
                throw new SafeTensorsException(file + ": " + InputFiles.reason(e));
            }
        }
    }

    /** The element types gradprobe reads: F32 and F64 for values, I64 and I32 for integers. */
    static final java.util.Set<String> SUPPORTED = java.util.Set.of("F32", "F64", "I64", "I32");

    /** The file is missing, truncated or malformed. */
    public static final class SafeTensorsException extends RuntimeException {
        public SafeTensorsException(String message) {
            super(message);
        }
    }

    /** The contents of a file as its header describes them: entries in header order, and the metadata. */
    public record Contents(String file, Map<String, Entry> entries, Map<String, String> metadata) {
        public Entry require(String name) {
            Entry e = entries.get(name);
            if (e == null) throw new SafeTensorsException(file + ": no tensor named '" + name + "' (has " + entries.keySet() + ")");
            return e;
        }

        /** Every F32/F64 entry as a tensor, by name (integer entries skipped). */
        public Map<String, Tensor> floatTensors() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : entries.values()) if (e.dtype.startsWith("F")) out.put(e.name, e.toTensor());
            return out;
        }
    }

    static int bytesOf(String dtype) {
        switch (dtype) {
            case "F64": case "I64": case "U64": return 8;
            case "F32": case "I32": case "U32": return 4;
            case "F16": case "BF16": case "I16": case "U16": return 2;
            case "I8": case "U8": case "BOOL": case "F8_E4M3": case "F8_E5M2": return 1;
            default: return -1;
        }
    }

    /** The largest header read: the reference implementation's limit (100 MB). */
    static final long MAX_HEADER = 100_000_000;

    /**
     * Reads the header of {@code path} and checks it against the file's size (every tensor's offsets,
     * size and dtype; no gap, overlap or trailing bytes); the tensors are read when asked for. A file of
     * any size is opened with bounded memory.
     */
    public static Contents read(Path path) {
        String file = path.toString();
        String problem = InputFiles.problem(path);
        if (problem != null) throw new SafeTensorsException(file + ": " + problem + (problem.startsWith("is a dir") ? " (a safetensors file)" : ""));
        long size;
        byte[] headerBytes;
        long hlen;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            size = ch.size();
            if (size < 8) throw new SafeTensorsException(file + ": truncated, " + size + " bytes, no safetensors header");
            ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (lb.hasRemaining()) if (ch.read(lb, lb.position()) < 0) break;
            hlen = lb.flip().getLong();
            if (hlen < 2 || hlen > size - 8) {
                throw new SafeTensorsException(file + ": header length " + hlen + " does not fit a file of " + size
                        + " bytes (not safetensors, or truncated)");
            }
            if (hlen > MAX_HEADER) {
                throw new SafeTensorsException(file + ": header of " + hlen + " bytes is over the format's limit of " + MAX_HEADER
                        + " (not safetensors?)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) hlen);
            while (hb.hasRemaining()) if (ch.read(hb, 8 + hb.position()) < 0) throw new SafeTensorsException(file + ": truncated header");
            headerBytes = hb.array();
        } catch (IOException e) {
            throw new SafeTensorsException(file + ": " + InputFiles.reason(e));
        }
        String header;
        try {
            header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file + ": header is not valid UTF-8 (not safetensors, or corrupt)");
        }
        Object parsed;
        try {
            parsed = Json.parse(header);
        } catch (Json.JsonException e) {
            throw new SafeTensorsException(file + ": corrupt header: " + e.getMessage());
        }
        if (!(parsed instanceof Map)) throw new SafeTensorsException(file + ": header is not a JSON object");
        long dataStart = 8 + hlen;
        long dataLen = size - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed).entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map)) {
                    throw new SafeTensorsException(file + ": __metadata__ is " + Json.write(e.getValue()) + ", expected an object of strings");
                }
                for (Map.Entry<?, ?> m : ((Map<?, ?>) e.getValue()).entrySet()) {
                    if (!(m.getValue() instanceof String)) {
                        throw new SafeTensorsException(file + ": metadata '" + m.getKey() + "' is " + Json.write(m.getValue()) + ", expected a string");
                    }
                    meta.put(m.getKey().toString(), (String) m.getValue());
                }
                continue;
            }
            if (!(e.getValue() instanceof Map)) throw new SafeTensorsException(file + ": header entry '" + name + "' is not an object");
            Map<?, ?> info = (Map<?, ?>) e.getValue();
            Object dt = info.get("dtype"), sh = info.get("shape"), off = info.get("data_offsets");
            if (!(dt instanceof String) || !(sh instanceof List) || !(off instanceof List) || ((List<?>) off).size() != 2) {
                throw new SafeTensorsException(file + ": header entry '" + name + "' needs dtype, shape and data_offsets [begin, end]");
            }
            String dtype = (String) dt;
            int width = bytesOf(dtype);
            if (width < 0) throw new SafeTensorsException(file + ": tensor '" + name + "' has unknown dtype " + dtype);
            List<?> shl = (List<?>) sh;
            int[] shape = new int[shl.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                if (!(shl.get(i) instanceof Long) || (Long) shl.get(i) < 0 || (Long) shl.get(i) > Integer.MAX_VALUE) {
                    throw new SafeTensorsException(file + ": tensor '" + name + "' has a bad shape " + shl);
                }
                shape[i] = (int) (long) (Long) shl.get(i);
                try {
                    numel = Math.multiplyExact(numel, shape[i]);
                } catch (ArithmeticException x) {
                    throw new SafeTensorsException(file + ": tensor '" + name + "' has a shape " + shl + " of over 2^63 elements");
                }
            }
            Object b0 = ((List<?>) off).get(0), b1 = ((List<?>) off).get(1);
            if (!(b0 instanceof Long) || !(b1 instanceof Long)) throw new SafeTensorsException(file + ": tensor '" + name + "' has bad data_offsets");
            long begin = (Long) b0, end = (Long) b1;
            if (begin < 0 || end < begin || end > dataLen) {
                throw new SafeTensorsException(file + ": tensor '" + name + "' data_offsets [" + begin + ", " + end
                        + "] fall outside the " + dataLen + " data bytes (truncated?)");
            }
            if ((end - begin) % width != 0 || (end - begin) / width != numel) {
                throw new SafeTensorsException(file + ": tensor '" + name + "' has " + (end - begin) + " bytes, shape "
                        + Shapes.str(shape) + " of " + dtype + " needs " + (numel <= Long.MAX_VALUE / width ? Long.toString(numel * width) : "over 2^63"));
            }
            entries.put(name, new Entry(file, path, name, dtype, shape, dataStart + begin, end - begin));
            ranges.add(new long[] {begin, end});
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        long pos = 0;
        for (long[] r : ranges) {
            if (r[0] != pos) throw new SafeTensorsException(file + ": tensor data overlaps or leaves a gap at byte " + pos);
            pos = r[1];
        }
        if (pos != dataLen) throw new SafeTensorsException(file + ": " + (dataLen - pos) + " trailing bytes after the last tensor");
        return new Contents(file, entries, meta);
    }

    /** Collects tensors in order and writes them atomically. */
    public static final class Writer {
        private record Pending(String name, String dtype, int[] shape, byte[] bytes) {}

        private final Map<String, Pending> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        public Writer put(String name, Tensor t) {
            ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            if (t.data() instanceof Storage.Floats f) b.asFloatBuffer().put(f.a());
            else b.asDoubleBuffer().put(((Storage.Doubles) t.data()).a());
            entries.put(name, new Pending(name, t.dtype.safetensorsName(), t.shape(), b.array()));
            return this;
        }

        public Writer putLongs(String name, int[] shape, long[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(values);
            entries.put(name, new Pending(name, "I64", shape, b.array()));
            return this;
        }

        public Writer metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public void write(Path path) {
            Map<String, Object> header = new LinkedHashMap<>();
            if (!metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<String, Object>(metadata));
            long off = 0;
            for (Pending e : entries.values()) {
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("dtype", e.dtype());
                info.put("shape", e.shape());
                info.put("data_offsets", new long[] {off, off + e.bytes().length});
                header.put(e.name(), info);
                off += e.bytes().length;
            }
            byte[] h = Json.write(header).getBytes(StandardCharsets.UTF_8);
            int pad = (8 - h.length % 8) % 8;     // keep the data 8-byte aligned, as the reference writer does
            byte[] hp = new byte[h.length + pad];
            System.arraycopy(h, 0, hp, 0, h.length);
            for (int i = h.length; i < hp.length; i++) hp[i] = ' ';
            AtomicFile.write(path, out -> {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).array());
                out.write(hp);
                for (Pending e : entries.values()) out.write(e.bytes());
            });
        }
    }
}
