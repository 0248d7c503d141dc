package org.gradprobe.io;

import java.util.Locale;

/**
 * The Java heap as a reader sees it before a large allocation: a file whose contents cannot fit is
 * refused with its size and the limit, instead of failing half-read with an OutOfMemoryError.
 */
public final class Heap {
    private Heap() {}

    /** The largest Java array of bytes (a few words below Integer.MAX_VALUE, as the JDK's own limit). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The heap limit (-Xmx). */
    public static long limit() {
        return Runtime.getRuntime().maxMemory();
    }

    /** Bytes the heap can still give; when {@code wanted} looks too many, after one collection (garbage counts as used). */
    public static long available(long wanted) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (free >= wanted) return free;
        System.gc();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Null when {@code bytes} more fit in the heap, else why not: "needs 3.0 GiB, more than the 1.1 GiB
     * free in the Java heap (limit 4.0 GiB; give Java more with GRADPROBE_JAVA_OPTS=-Xmx8g)".
     */
    public static String shortfall(long bytes) {
        long free = available(bytes);
        if (bytes <= free) return null;
        long gib = 1L << 30, suggest = Math.max(1, (limit() + bytes + gib - 1) / gib);
        return "needs " + bytes(bytes) + ", more than the " + bytes(Math.max(0, free)) + " free in the Java heap (limit "
                + bytes(limit()) + "; give Java more with GRADPROBE_JAVA_OPTS=-Xmx" + suggest + "g)";
    }

    /** 1536 → "1.5 KiB"; binary units, as -Xmx counts them. */
    public static String bytes(long n) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
