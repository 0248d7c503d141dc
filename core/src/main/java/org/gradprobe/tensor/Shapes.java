package org.gradprobe.tensor;

import java.util.Arrays;

/** Small helpers on shapes ({@code int[]}, row-major). */
public final class Shapes {
    private Shapes() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new ShapeException("negative dimension in shape " + Arrays.toString(shape));
            n *= s;
        }
        if (n > Integer.MAX_VALUE) throw new ShapeException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        return (int) n;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** "1x28x28" style, as the command line writes input shapes. */
    public static String dims(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append('x');
            sb.append(shape[i]);
        }
        return sb.toString();
    }

    /** Parses "CxHxW" or "N" into a shape; throws IllegalArgumentException naming the text. */
    public static int[] parseDims(String s) {
        String[] parts = s.trim().split("[xX×]", -1);    // -1: a trailing x leaves an empty part, refused below
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad shape '" + s + "', expected positive integers like 1x28x28 or 784");
            }
            if (out[i] <= 0) throw new IllegalArgumentException("bad shape '" + s + "', dimensions must be positive");
        }
        return out;
    }

    public static int[] prepend(int n, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = n;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    public static int[] dropFirst(int[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }
}
