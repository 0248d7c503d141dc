package org.gradprobe.report;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.gradprobe.io.AtomicFile;
import org.gradprobe.probe.Stats;

/**
 * Writes a run as a TensorBoard event file (TFRecord framing with masked CRC32C around tensorflow.Event
 * protos, encoded by hand: no protobuf dependency). Scalars: {@code loss}, {@code grad_norm/<node>},
 * {@code value_norm/<node>}, {@code update_ratio/<weight>}. Histograms: {@code grad_log2/<node>}, the
 * distribution of log2|gradient| (exact zeros in a bucket just below the smallest exponent; NaN and
 * Inf, which TensorBoard cannot draw, as the scalar {@code nonfinite/<node>}).
 */
public final class TensorBoard {
    private TensorBoard() {}

    /** Writes {@code dir/events.out.tfevents.<seconds>.gradprobe} atomically; returns its path. */
    public static Path write(RunData run, Path dir, double wallTime) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        record(file, event(wallTime, 0, fileVersion()));
        for (double[] l : run.losses) if (Double.isFinite(l[1])) record(file, event(wallTime, (long) l[0], summary(scalarValue("loss", l[1]))));
        for (RunData.Series s : run.nodes.values()) {
            for (int i = 0; i < s.steps.size(); i++) {
                long step = s.steps.get(i);
                ByteArrayOutputStream values = new ByteArrayOutputStream();
                addScalar(values, "grad_norm/" + s.node, s.gradNorm.get(i));
                addScalar(values, "value_norm/" + s.node, s.valueNorm.get(i));
                if (s.kind.equals("parameter")) addScalar(values, "update_ratio/" + s.node, s.updateRatio.get(i));
                double[][] tt = s.throughTime.get(i);
                if (tt != null) {
                    // the gradient at the hidden state at the first time step over the one at the last
                    for (int k = 0; k < tt.length; k++) {
                        String tag = s.node + (tt.length > 1 ? "/l" + k : "");
                        addScalar(values, "through_time_first_to_last/" + tag, tt[k][0] / tt[k][tt[k].length - 1]);
                    }
                }
                long[] h = s.gradHist.get(i);
                if (h != null) {
                    values.writeBytes(field(1, histValue("grad_log2/" + s.node, h)));
                    if (h[Stats.NAN_BIN] + h[Stats.INF_BIN] > 0) addScalar(values, "nonfinite/" + s.node, h[Stats.NAN_BIN] + h[Stats.INF_BIN]);
                }
                record(file, event(wallTime + step * 1e-3, step, field(5, values.toByteArray())));
            }
        }
        Path out = dir.resolve(String.format("events.out.tfevents.%d.gradprobe", (long) wallTime));
        byte[] bytes = file.toByteArray();
        AtomicFile.write(out, o -> o.write(bytes));
        return out;
    }

    private static void addScalar(ByteArrayOutputStream values, String tag, double v) {
        if (Double.isFinite(v)) values.writeBytes(field(1, scalarValue(tag, v)));
    }

    // ---- protobuf encoding (just the wire types used here) ----

    static byte[] varint(long v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            b.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.write((int) v);
        return b.toByteArray();
    }

    /** A length-delimited field (wire type 2). */
    static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(varint((long) number << 3 | 2));
        b.writeBytes(varint(payload.length));
        b.writeBytes(payload);
        return b.toByteArray();
    }

    static byte[] fixed64(int number, double v) {
        ByteBuffer b = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) (number << 3 | 1)).putDouble(v);
        return b.array();
    }

    static byte[] fixed32(int number, float v) {
        ByteBuffer b = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) (number << 3 | 5)).putFloat(v);
        return b.array();
    }

    static byte[] packedDoubles(int number, double[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return field(number, b.array());
    }

    static byte[] fileVersion() {
        return field(3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
    }

    /** Event: wall_time = 1 (double), step = 2 (int64), then the given fields. */
    static byte[] event(double wallTime, long step, byte[] rest) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(fixed64(1, wallTime));
        b.writeBytes(varint(2 << 3));
        b.writeBytes(varint(step));
        b.writeBytes(rest);
        return b.toByteArray();
    }

    static byte[] summary(byte[] value) {
        return field(5, field(1, value));
    }

    /** Summary.Value: tag = 1, simple_value = 2. */
    static byte[] scalarValue(String tag, double v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(field(1, tag.getBytes(StandardCharsets.UTF_8)));
        b.writeBytes(fixed32(2, (float) v));
        return b.toByteArray();
    }

    /** Summary.Value with histo = 5: HistogramProto of log2|x| from the probe's magnitude bins. */
    static byte[] histValue(String tag, long[] h) {
        int lo = -1, hi = -1;
        for (int b = Stats.FIRST_EXP_BIN; b < h.length; b++) if (h[b] > 0) {
            if (lo < 0) lo = b;
            hi = b;
        }
        boolean zeros = h[Stats.ZERO_BIN] > 0;
        int firstExp = lo < 0 ? Stats.MIN_EXP : Stats.exponentOf(lo);
        int lastExp = hi < 0 ? Stats.MIN_EXP : Stats.exponentOf(hi);
        int n = (lo < 0 ? 0 : hi - lo + 1) + (zeros ? 1 : 0);
        double[] limits = new double[n], counts = new double[n];
        int k = 0;
        double num = 0, sum = 0, sumSq = 0;
        if (zeros) {
            limits[k] = firstExp - 1;            // bucket (−∞, firstExp − 1]: exact zeros, drawn just below the smallest magnitude
            counts[k++] = h[Stats.ZERO_BIN];
            num += h[Stats.ZERO_BIN];
            sum += (double) (firstExp - 1) * h[Stats.ZERO_BIN];
            sumSq += (double) (firstExp - 1) * (firstExp - 1) * h[Stats.ZERO_BIN];
        }
        if (lo >= 0) {
            for (int b = lo; b <= hi; b++) {
                int e = Stats.exponentOf(b);
                limits[k] = e + 1;               // values with log2|x| in [e, e+1)
                counts[k++] = h[b];
                num += h[b];
                sum += (e + 0.5) * h[b];
                sumSq += (e + 0.5) * (e + 0.5) * h[b];
            }
        }
        ByteArrayOutputStream histo = new ByteArrayOutputStream();
        histo.writeBytes(fixed64(1, zeros ? firstExp - 1 : firstExp));
        histo.writeBytes(fixed64(2, lastExp + 1));
        histo.writeBytes(fixed64(3, num));
        histo.writeBytes(fixed64(4, sum));
        histo.writeBytes(fixed64(5, sumSq));
        histo.writeBytes(packedDoubles(6, limits));
        histo.writeBytes(packedDoubles(7, counts));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(field(1, tag.getBytes(StandardCharsets.UTF_8)));
        b.writeBytes(field(5, histo.toByteArray()));
        return b.toByteArray();
    }

    // ---- TFRecord framing ----

    static int maskedCrc(byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(data, off, len);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    static void record(ByteArrayOutputStream out, byte[] data) {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(data.length);
        byte[] len = header.array();
        header.putInt(8, maskedCrc(len, 0, 8));
        out.writeBytes(header.array());
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(data, 0, data.length)).array());
    }
}
