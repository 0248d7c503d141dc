package org.gradprobe.kernels;

/**
 * Per-thread scratch storage that lives across calls, for an op's temporaries that never leave it (a
 * product before it is rearranged, a gradient in another layout). Reusing it spares the allocation
 * and the zeroing of tens of megabytes a training step. Contents are undefined on return; a slot must
 * not be used twice at once on one thread.
 */
public final class Scratch {
    /** How many slots there are; a caller owns a slot number by convention (see its users). */
    public static final int SLOTS = 5;
    /** The slot of the probe's statistics passes (a piece's worth of values they make before summarizing them). */
    public static final int STATS = 4;

    private static final ThreadLocal<Storage[][]> SLOTS_BY_TYPE = ThreadLocal.withInitial(() -> new Storage[][] {
        new Storage[SLOTS], new Storage[SLOTS]});

    private Scratch() {}

    /** Storage of at least {@code n} elements of the type of {@code like} for {@code slot} (0 ≤ slot < SLOTS). */
    public static Storage get(Storage like, int slot, int n) {
        Storage[] s = SLOTS_BY_TYPE.get()[like.isFloat32() ? 0 : 1];
        if (s[slot] == null || s[slot].length() < n) s[slot] = like.allocate(n);
        return s[slot];
    }
}
