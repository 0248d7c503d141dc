package org.gradprobe.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    /** One stored tensor: its safetensors dtype name, shape and raw little-endian bytes. */
    public record Entry(String name, String dtype, int[] shape, byte[] bytes) {
        /** As a float tensor (F32 or F64). */
        public Tensor toTensor(String file) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int n = Shapes.numel(shape);
            switch (dtype) {
                case "F32": {
                    float[] a = new float[n];
                    b.asFloatBuffer().get(a);
                    return Tensor.wrap(a, shape);
                }
                case "F64": {
                    double[] a = new double[n];
                    b.asDoubleBuffer().get(a);
                    return Tensor.wrap(a, shape);
                }
                default:
                    throw new SafeTensorsException(file + ": tensor '" + name + "' has dtype " + dtype + ", expected F32 or F64");
            }
        }

        /** As integers (I64 or I32). */
        public long[] toLongs(String file) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int n = Shapes.numel(shape);
            long[] a = new long[n];
            switch (dtype) {
                case "I64": b.asLongBuffer().get(a); return a;
                case "I32": for (int i = 0; i < n; i++) a[i] = b.getInt(); return a;
                default: throw new SafeTensorsException(file + ": tensor '" + name + "' has dtype " + dtype + ", expected I64");
            }
        }
    }

    /** The file is missing, truncated or malformed. */
    public static final class SafeTensorsException extends RuntimeException {
        public SafeTensorsException(String message) {
            super(message);
        }
    }

    /** The contents of a file: entries in header order, and the metadata. */
    public record Contents(String file, Map<String, Entry> entries, Map<String, String> metadata) {
        public Entry require(String name) {
            Entry e = entries.get(name);
            if (e == null) throw new SafeTensorsException(file + ": no tensor named '" + name + "' (has " + entries.keySet() + ")");
            return e;
        }

        /** Every F32/F64 entry as a tensor, by name (integer entries skipped). */
        public Map<String, Tensor> floatTensors() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : entries.values()) if (e.dtype.startsWith("F")) out.put(e.name, e.toTensor(file));
            return out;
        }
    }

    private static int bytesOf(String dtype) {
        switch (dtype) {
            case "F64": case "I64": case "U64": return 8;
            case "F32": case "I32": case "U32": return 4;
            case "F16": case "BF16": case "I16": case "U16": return 2;
            case "I8": case "U8": case "BOOL": case "F8_E4M3": case "F8_E5M2": return 1;
            default: return -1;
        }
    }

    public static Contents read(Path path) {
        String file = path.toString();
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new SafeTensorsException(file + ": no such file");
        } catch (IOException e) {
            throw new SafeTensorsException(file + ": cannot read: " + e.getMessage());
        }
        if (all.length < 8) throw new SafeTensorsException(file + ": truncated, " + all.length + " bytes, no safetensors header");
        long hlen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (hlen < 2 || hlen > all.length - 8) {
            throw new SafeTensorsException(file + ": header length " + hlen + " does not fit a file of " + all.length
                    + " bytes (not safetensors, or truncated)");
        }
        String header = new String(all, 8, (int) hlen, StandardCharsets.UTF_8);
        Object parsed;
        try {
            parsed = Json.parse(header);
        } catch (Json.JsonException e) {
            throw new SafeTensorsException(file + ": corrupt header: " + e.getMessage());
        }
        if (!(parsed instanceof Map)) throw new SafeTensorsException(file + ": header is not a JSON object");
        int dataStart = 8 + (int) hlen;
        long dataLen = all.length - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed).entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (e.getValue() instanceof Map) ((Map<?, ?>) e.getValue()).forEach((k, v) -> meta.put(k.toString(), String.valueOf(v)));
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
                numel *= shape[i];
            }
            Object b0 = ((List<?>) off).get(0), b1 = ((List<?>) off).get(1);
            if (!(b0 instanceof Long) || !(b1 instanceof Long)) throw new SafeTensorsException(file + ": tensor '" + name + "' has bad data_offsets");
            long begin = (Long) b0, end = (Long) b1;
            if (begin < 0 || end < begin || end > dataLen) {
                throw new SafeTensorsException(file + ": tensor '" + name + "' data_offsets [" + begin + ", " + end
                        + "] fall outside the " + dataLen + " data bytes (truncated?)");
            }
            if (end - begin != numel * width) {
                throw new SafeTensorsException(file + ": tensor '" + name + "' has " + (end - begin) + " bytes, shape "
                        + Shapes.str(shape) + " of " + dtype + " needs " + numel * width);
            }
            byte[] bytes = new byte[(int) (end - begin)];
            System.arraycopy(all, dataStart + (int) begin, bytes, 0, bytes.length);
            entries.put(name, new Entry(name, dtype, shape, bytes));
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
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        public Writer put(String name, Tensor t) {
            ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            if (t.data() instanceof Storage.Floats f) b.asFloatBuffer().put(f.a());
            else b.asDoubleBuffer().put(((Storage.Doubles) t.data()).a());
            entries.put(name, new Entry(name, t.dtype.safetensorsName(), t.shape(), b.array()));
            return this;
        }

        public Writer putLongs(String name, int[] shape, long[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(values);
            entries.put(name, new Entry(name, "I64", shape, b.array()));
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
            for (Entry e : entries.values()) {
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
                for (Entry e : entries.values()) out.write(e.bytes());
            });
        }
    }
}
