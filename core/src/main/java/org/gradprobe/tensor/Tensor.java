package org.gradprobe.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Storage;

/**
 * A dense row-major tensor of float32 or float64 with the fields reverse-mode autodiff needs.
 *
 * <p>Its elements are a {@link Storage}, which ops hand to {@link Kernels}: the element type is
 * dispatched there, once. Everything else reads and writes through {@link #get}, {@link #set},
 * {@link #doubles()} and {@link #of}.
 *
 * <p>Autograd: a leaf with {@code requiresGrad} accumulates its gradient into {@link #grad()} on every
 * backward (as PyTorch does, until {@link #zeroGrad()}); a non-leaf carries the {@link Node} that made
 * it and keeps its gradient only when {@link #retainGrad()} was called.
 */
public final class Tensor {
    private static final AtomicLong IDS = new AtomicLong();

    public final DType dtype;
    private final Storage data;
    private final int[] shape;
    private final long id = IDS.incrementAndGet();

    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;
    private Node node;

    private Tensor(int[] shape, Storage data) {
        this.dtype = data.isFloat32() ? DType.FLOAT32 : DType.FLOAT64;
        this.shape = shape.clone();
        this.data = data;
        int n = Shapes.numel(shape);
        if (data.length() != n) {
            throw new ShapeException("storage of " + data.length() + " elements does not fit shape " + Shapes.str(shape));
        }
    }

    // ---- construction ----

    public static Tensor zeros(DType dtype, int... shape) {
        return allocate(dtype, shape, true);
    }

    /**
     * A tensor whose contents are unspecified (PyTorch's {@code empty}), for an op that writes every
     * element: inside a training step its storage may be reused, see {@link StepMemory}.
     */
    public static Tensor empty(DType dtype, int... shape) {
        return allocate(dtype, shape, false);
    }

    private static Tensor allocate(DType dtype, int[] shape, boolean zeroed) {
        return new Tensor(shape, StepMemory.storage(dtype, Shapes.numel(shape), zeroed));
    }

    public static Tensor emptyLike(Tensor t) {
        return empty(t.dtype, t.shape);
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.dtype, t.shape);
    }

    /** Wraps {@code data} without copying (float32). */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(shape, new Storage.Floats(data));
    }

    /** Wraps {@code data} without copying (float64). */
    public static Tensor wrap(double[] data, int... shape) {
        return new Tensor(shape, new Storage.Doubles(data));
    }

    /** Wraps {@code data} without copying. */
    public static Tensor wrap(Storage data, int... shape) {
        return new Tensor(shape, data);
    }

    /** A tensor of {@code dtype} holding {@code values}; float64 takes ownership, float32 rounds a copy. */
    public static Tensor of(DType dtype, int[] shape, double[] values) {
        return new Tensor(shape, Storage.of(dtype == DType.FLOAT32, values));
    }

    public static Tensor scalar(DType dtype, double v) {
        return of(dtype, new int[0], new double[] {v});
    }

    public static Tensor full(DType dtype, double v, int... shape) {
        double[] a = new double[Shapes.numel(shape)];
        Arrays.fill(a, v);
        return of(dtype, shape, a);
    }

    /** Standard normal entries times {@code std}, from a seeded generator. */
    public static Tensor randn(DType dtype, SplittableRandom rng, double std, int... shape) {
        double[] a = new double[Shapes.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = std * Rand.gaussian(rng);
        return of(dtype, shape, a);
    }

    // ---- shape and element access ----

    public int[] shape() { return shape.clone(); }
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }
    public int rank() { return shape.length; }
    public int numel() { return data.length(); }
    public long id() { return id; }

    /** The elements, for the kernels (and for code that hands them on, such as a file writer). */
    public Storage data() { return data; }

    public double get(int i) { return data.get(i); }

    /** Sets element i to v (rounded for float32). */
    public void set(int i, double v) { data.set(i, v); }

    public double item() {
        if (numel() != 1) throw new ShapeException("item() needs one element, tensor has shape " + Shapes.str(shape));
        return get(0);
    }

    /** The values as float64: the backing array itself for float64 (do not modify), a widened copy for float32. */
    public double[] doubles() {
        return data.toDoubles();
    }

    /** A copy with no graph, same dtype. */
    public Tensor copy() {
        return new Tensor(shape, data.copy());
    }

    /** A copy converted to {@code to} (a plain copy when the dtype is the same), with no graph. */
    public Tensor to(DType to) {
        if (to == dtype) return copy();
        return of(to, shape, data.toDoubles());    // float64 → float32 rounds into a new array; float32 → float64 widens into one
    }

    /** Same storage, new shape; no graph (the autograd-aware version is {@code F.reshape}). */
    public Tensor view(int... newShape) {
        if (Shapes.numel(newShape) != numel()) {
            throw new ShapeException("cannot view " + Shapes.str(shape) + " as " + Shapes.str(newShape));
        }
        return new Tensor(newShape, data);
    }

    /** Copies {@code src}'s values into this tensor (same shape; dtype converted). */
    public void copyFrom(Tensor src) {
        if (!Arrays.equals(shape, src.shape)) {
            throw new ShapeException("cannot copy " + Shapes.str(src.shape) + " into " + Shapes.str(shape));
        }
        if (src.dtype == dtype) Kernels.copy(src.data, 0, data, 0, numel());
        else for (int i = 0; i < numel(); i++) set(i, src.get(i));
    }

    /** this += other, elementwise, same shape. */
    public void addInPlace(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new ShapeException("cannot add " + Shapes.str(other.shape) + " into " + Shapes.str(shape));
        }
        if (other.dtype == dtype) Kernels.addInto(data, other.data, 0, numel());
        else for (int i = 0; i < numel(); i++) set(i, get(i) + other.get(i));
    }

    public void fill(double v) {
        data.fill(0, numel(), v);
    }

    // ---- autograd ----

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as wanting a gradient. */
    public Tensor requiresGrad(boolean on) {
        if (node != null && !on) throw new IllegalStateException("cannot turn off requiresGrad on a non-leaf tensor (node " + node + ")");
        this.requiresGrad = on;
        return this;
    }

    /** The accumulated gradient of a leaf, or the retained gradient of a non-leaf; null before backward. */
    public Tensor grad() { return grad; }

    /** Sets this tensor's gradient (null: none); it must have this tensor's dtype and shape, as in PyTorch. */
    public void setGrad(Tensor g) {
        if (g != null && (g.dtype != dtype || !Arrays.equals(g.shape, shape))) {
            throw new ShapeException("gradient " + g.dtype + " " + Shapes.str(g.shape) + " does not match its tensor, " + dtype + " " + Shapes.str(shape));
        }
        this.grad = g;
    }

    public void zeroGrad() { this.grad = null; }

    /** Asks backward to keep this non-leaf tensor's gradient (PyTorch's retain_grad). */
    public Tensor retainGrad() {
        this.retainsGrad = true;
        return this;
    }

    public boolean retainsGrad() { return retainsGrad; }

    public boolean isLeaf() { return node == null; }

    /** The node that made this tensor, or null for a leaf. */
    public Node node() { return node; }

    /** Attaches the node that made this tensor; used by {@link Node#record}. */
    public void setNode(Node n) {
        this.node = n;
        this.requiresGrad = true;
    }

    /** Same storage, cut from the graph. */
    public Tensor detach() {
        return new Tensor(shape, data);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(' ').append(Shapes.str(shape));
        if (node != null) sb.append(" op=").append(node.op());
        int n = Math.min(numel(), 8);
        sb.append(" [");
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(get(i));
        }
        if (numel() > n) sb.append(", ...");
        return sb.append("])").toString();
    }
}
