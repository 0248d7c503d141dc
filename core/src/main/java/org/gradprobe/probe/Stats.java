package org.gradprobe.probe;

import java.util.Arrays;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.kernels.Scratch;
import org.gradprobe.kernels.Storage;
import org.gradprobe.kernels.Summary;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * Statistics of a tensor's values computed in one pass without copying, and mergeable (the merge of
 * the statistics of two tensors equals the statistics of their concatenation), so histories can be
 * downsampled and sketches summed across workers. Finite values feed the moments; zeros, NaNs and
 * Infs are counted, and every value lands in exactly one bin of a fixed log2-magnitude histogram
 * (zero, NaN and Inf have bins of their own, so nothing is dropped).
 */
public final class Stats {
    /** Exponent range of the magnitude bins: |x| in [2^e, 2^(e+1)), e clamped to [MIN_EXP, MAX_EXP]. */
    public static final int MIN_EXP = -48, MAX_EXP = 15;
    /** Bin layout: 0 zero, 1 NaN, 2 Inf, then one bin per exponent from MIN_EXP to MAX_EXP. */
    public static final int ZERO_BIN = 0, NAN_BIN = 1, INF_BIN = 2, FIRST_EXP_BIN = 3;
    public static final int BINS = FIRST_EXP_BIN + MAX_EXP - MIN_EXP + 1;

    long count;          // all values
    long finite;         // finite values (the moments are over these)
    double mean;
    double m2;           // Σ (x − mean)²
    double sumSq;        // Σ x², for the L2 norm
    double maxAbs;
    long zeros, nans, infs;
    final long[] hist = new long[BINS];

    public Stats() {}

    /**
     * Elements a pass takes at a time: a tensor's statistics are those of its pieces of this size,
     * merged in order, whether the pieces run on one thread or on several, so the result does not
     * depend on the threads.
     */
    static final int PIECE = 1 << 15;

    /** The statistics of every element of {@code t}: one pass, no copy, its pieces over the compute threads. */
    public static Stats of(Tensor t) {
        return of(t, true);
    }

    /** As {@link #of(Tensor)}, on the calling thread only (the same values). */
    public static Stats serial(Tensor t) {
        return of(t, false);
    }

    /** As {@link #of(Tensor)}, the pieces over the compute threads when {@code parallel}, else on the calling thread. */
    public static Stats of(Tensor t, boolean parallel) {
        return pass(t.numel(), false, parallel, null, (from, to, s, relu, buf) -> s.add(t.data(), from, to, null))[0];
    }

    /**
     * The statistics of t and, from the same pass, of relu(t) (relu's output, made from t, need not be
     * read): {@code {stats of t, stats of relu(t)}}.
     */
    public static Stats[] withRelu(Tensor t, boolean parallel) {
        return pass(t.numel(), true, parallel, null, reluPiece(t));
    }

    private static Piece reluPiece(Tensor t) {
        return (from, to, s, relu, buf) -> s.add(t.data(), from, to, relu);
    }

    /**
     * The statistics of {@code g} where {@code gate} is positive and zero elsewhere (what relu's backward
     * passes), without making that tensor: it is made a piece at a time in a small buffer.
     */
    public static Stats gated(Tensor g, Tensor gate, boolean parallel) {
        if (!Arrays.equals(g.shape(), gate.shape()) || g.dtype != gate.dtype) {
            throw new ShapeException("gate " + gate.dtype + " " + Shapes.str(gate.shape()) + " does not match " + g.dtype + " " + Shapes.str(g.shape()));
        }
        return pass(g.numel(), false, parallel, g.data(), (from, to, s, relu, buf) -> {
            Kernels.reluBackward(gate.data(), g.data(), from, to, buf, 0);
            s.add(buf, 0, to - from, null);
        })[0];
    }

    /** One piece [from, to) of a pass: its statistics into s (and relu's, when asked); buf holds a piece, when asked for. */
    @FunctionalInterface
    private interface Piece {
        void run(int from, int to, Stats s, Stats relu, Storage buf);
    }

    /**
     * More work on the pieces of a pass: called with each piece's range [from, to) of the tensor, on
     * whichever compute thread summarized it, in any order.
     */
    @FunctionalInterface
    public interface AlsoRead {
        void piece(int from, int to);
    }

    /**
     * Per thread: the summary of one piece (add() is done with it before it calls itself for relu's values with a
     * NaN). Kept, not allocated per piece: that had come to megabytes of fresh memory a recorded step.
     */
    private static final ThreadLocal<Summary> SUMMARY = ThreadLocal.withInitial(Summary::new);

    /** Runs a pass piece by piece (with a buffer of one piece per thread, of the type of {@code buffer}'s storage, when it is not null) and merges the pieces in order. */
    private static Stats[] pass(int n, boolean withRelu, boolean parallel, Storage buffer, Piece piece) {
        Pieces p = new Pieces(n, withRelu, buffer, null, piece);
        if (parallel) Parallel.forChunks(p.parts.length, p);
        else p.run(0, 0, p.parts.length);
        return p.merged();
    }

    /** A pass's pieces: run in any order, on any threads, then merged in order (so the result does not depend on them). */
    private static final class Pieces implements Parallel.Chunk {
        final int n;
        final boolean withRelu;
        final Storage buffer;
        final AlsoRead also;
        final Piece piece;
        final Stats[] parts, reluParts;

        Pieces(int n, boolean withRelu, Storage buffer, AlsoRead also, Piece piece) {
            this.n = n;
            this.withRelu = withRelu;
            this.buffer = buffer;
            this.also = also;
            this.piece = piece;
            int pieces = Math.max(1, (n + PIECE - 1) / PIECE);
            parts = new Stats[pieces];
            reluParts = new Stats[pieces];
        }

        @Override
        public void run(int chunk, int from, int to) {
            Storage buf = buffer == null ? null : Scratch.get(buffer, Scratch.STATS, PIECE);
            for (int k = from; k < to; k++) {
                Stats s = new Stats(), r = withRelu ? new Stats() : null;
                int start = k * PIECE, end = Math.min(n, start + PIECE);
                piece.run(start, end, s, r, buf);
                if (also != null) also.piece(start, end);
                parts[k] = s;
                reluParts[k] = r;
            }
        }

        Stats[] merged() {
            Stats all = parts[0], relu = reluParts[0];
            for (int k = 1; k < parts.length; k++) {
                all.merge(parts[k]);
                if (withRelu) relu.merge(reluParts[k]);
            }
            return new Stats[] {all, relu};
        }
    }

    /** A {@link #withRelu(Tensor, boolean)} pass handed to the compute threads' idle time; {@link #finish} gives its result. */
    public static final class Deferred {
        private final Pieces pieces;
        private final Parallel.Background work;

        private Deferred(Pieces pieces) {
            this.pieces = pieces;
            this.work = Parallel.background(pieces.parts.length, pieces);
        }

        private Stats[] result;

        /**
         * Runs what is left (over the compute threads), waits for the rest: {stats of t, stats of relu(t)},
         * as withRelu's; the same result again if called again (merging the pieces changes the first).
         */
        public Stats[] finish() {
            if (result == null) {
                work.finish();
                result = pieces.merged();
            }
            return result;
        }
    }

    /**
     * As {@link #withRelu(Tensor, boolean)}, its pieces run by the compute threads between their regions
     * until {@link Deferred#finish} (the same values), and {@code also} given each piece of t right after
     * its statistics, while its values are in cache (null: nothing more). t must not change until then.
     */
    public static Deferred deferWithRelu(Tensor t, AlsoRead also) {
        return new Deferred(new Pieces(t.numel(), true, null, also, reluPiece(t)));
    }

    /** relu as the op computes it (NaN passes, −0 and negatives become 0), of a[from, to). */
    private static Storage reluOf(Storage a, int from, int to) {
        Storage y = a.allocate(to - from);
        for (int k = 0; k < to - from; k++) {
            double v = a.get(from + k);
            if (v > 0 || v != v) y.set(k, v);
        }
        return y;
    }

    /**
     * Adds a[from, to); and, when {@code relu} is not null, relu of those values to {@code relu}. One
     * pass in the kernels: each value counted by sign and exponent, and shifted sums (shift = the first
     * value) for a one-pass variance without cancellation. NaN/Inf make the sums non-finite; they are
     * then redone below, skipping them (rare).
     */
    private void add(Storage a, int from, int to, Stats relu) {
        double first = from < to ? a.get(from) : 0, shift = Double.isFinite(first) ? first : 0;
        Summary sum = SUMMARY.get();
        sum.clear();
        Kernels.summarize(a, from, to, shift, relu != null, sum);
        double s1 = sum.sum(), s2 = sum.sumSquares(), mx = sum.maxAbs();
        long special = sum.nonFinite();
        if (special > 0) {
            long nn = 0;
            s1 = s2 = mx = 0;
            for (int k = from; k < to; k++) {
                double v = a.get(k);
                if (Double.isNaN(v)) nn++;
                if (!Double.isFinite(v)) continue;
                double d = v - shift;
                s1 += d;
                s2 += d * d;
                mx = Math.max(mx, Math.abs(v));
            }
            nans += nn;
            infs += special - nn;
            hist[NAN_BIN] += nn;
            hist[INF_BIN] += special - nn;
        }
        zeros += sum.zeros();
        hist[ZERO_BIN] += sum.zeros();
        for (int e = Summary.MIN_EXPONENT; e <= Summary.MAX_EXPONENT; e++) hist[bin(e)] += sum.count(e);
        long fin = (to - from) - special;
        // Σx² from the shifted sums: Σ(d + shift)² = Σd² + 2·shift·Σd + n·shift²
        double sq = s2 + 2 * shift * s1 + fin * shift * shift;
        finishAdd(to - from, fin, shift, s1, s2, Math.max(sq, 0), Math.max(maxAbs, mx));
        if (relu == null) return;
        if (special > 0) {
            // NaN passes relu and −Inf does not: counted on relu's values themselves (rare)
            relu.add(reluOf(a, from, to), 0, to - from, null);
            return;
        }
        // relu's output: the positive values as they are (their counts and sums), every other value a zero;
        // its sums are not shifted (a test holds the variance at a mean 250 standard deviations from zero)
        long off = sum.zeros();
        for (int e = Summary.MIN_EXPONENT; e <= Summary.MAX_EXPONENT; e++) {
            long pos = sum.positiveCount(e);
            off += sum.count(e) - pos;
            relu.hist[bin(e)] += pos;
        }
        relu.zeros += off;
        relu.hist[ZERO_BIN] += off;
        relu.finishAdd(to - from, to - from, 0, sum.reluSum(), sum.reluSumSquares(), sum.reluSumSquares(), Math.max(relu.maxAbs, sum.reluMax()));
    }

    private void finishAdd(int n, long fin, double shift, double s1, double s2, double sq, double mx) {
        Stats part = new Stats();
        part.finite = fin;
        if (fin > 0) {
            part.mean = shift + s1 / fin;
            part.m2 = Math.max(0, s2 - s1 * s1 / fin);
        }
        part.sumSq = sq;
        mergeMoments(part);
        count += n;
        maxAbs = mx;
    }

    static int bin(int exponent) {
        int e = Math.max(MIN_EXP, Math.min(MAX_EXP, exponent));
        return FIRST_EXP_BIN + e - MIN_EXP;
    }

    /** Chan et al.'s parallel update of (finite, mean, m2) and Σx². */
    private void mergeMoments(Stats o) {
        if (o.finite == 0) return;
        if (finite == 0) {
            finite = o.finite;
            mean = o.mean;
            m2 = o.m2;
            sumSq += o.sumSq;
            return;
        }
        long n = finite + o.finite;
        double delta = o.mean - mean;
        mean += delta * o.finite / n;
        m2 += o.m2 + delta * delta * ((double) finite * o.finite / n);
        finite = n;
        sumSq += o.sumSq;
    }

    /** Adds {@code o} into this (Modified): the result describes both sets of values. */
    public Stats merge(Stats o) {
        mergeMoments(o);
        count += o.count;
        maxAbs = Math.max(maxAbs, o.maxAbs);
        zeros += o.zeros;
        nans += o.nans;
        infs += o.infs;
        for (int i = 0; i < BINS; i++) hist[i] += o.hist[i];
        return this;
    }

    /** Adds {@code n} exact zeros (Modified). */
    public Stats withZeros(long n) {
        Stats z = new Stats();
        z.count = z.finite = z.zeros = z.hist[ZERO_BIN] = n;
        return merge(z);
    }

    public Stats copy() {
        return new Stats().merge(this);
    }

    public long count() { return count; }
    /** L2 norm of the finite values. */
    public double norm() { return Math.sqrt(sumSq); }
    /** Root mean square of the finite values. */
    public double rms() { return finite == 0 ? 0 : Math.sqrt(sumSq / finite); }
    public double mean() { return mean; }
    /** Population standard deviation of the finite values. */
    public double std() { return finite == 0 ? 0 : Math.sqrt(m2 / finite); }
    public double maxAbs() { return maxAbs; }
    public double zeroFraction() { return count == 0 ? 0 : (double) zeros / count; }
    public long nans() { return nans; }
    public long infs() { return infs; }
    public boolean allFinite() { return nans == 0 && infs == 0; }
    public long[] histogram() { return hist.clone(); }

    /** The exponent e of magnitude bin {@code i} (values with |x| in [2^e, 2^(e+1))). */
    public static int exponentOf(int bin) {
        return bin - FIRST_EXP_BIN + MIN_EXP;
    }

    /** The label of histogram bin {@code i}: "0", "nan", "inf" or "2^e". */
    public static String binLabel(int i) {
        if (i == ZERO_BIN) return "0";
        if (i == NAN_BIN) return "nan";
        if (i == INF_BIN) return "inf";
        int e = exponentOf(i);
        return (e == MIN_EXP ? "<=" : e == MAX_EXP ? ">=" : "") + "2^" + e;
    }

    /** True when every element of {@code t} is finite; the cheap always-on check. */
    public static boolean allFinite(Tensor t) {
        return Kernels.allFinite(t.data(), 0, t.numel());
    }
}
