package org.gradprobe.tensor;

import java.util.Locale;

/** Element type of a tensor. Names follow PyTorch ({@code float32}) and safetensors ({@code F32}). */
public enum DType {
    FLOAT32("float32", "F32", 4),
    FLOAT64("float64", "F64", 8);

    private final String torchName;
    private final String safetensorsName;
    private final int bytes;

    DType(String torchName, String safetensorsName, int bytes) {
        this.torchName = torchName;
        this.safetensorsName = safetensorsName;
        this.bytes = bytes;
    }

    public String torchName() { return torchName; }
    public String safetensorsName() { return safetensorsName; }
    public int bytes() { return bytes; }

    /** Parses {@code float32}, {@code f32}, {@code float}, {@code float64}, {@code f64}, {@code double}. */
    public static DType parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "float32": case "f32": case "float": return FLOAT32;
            case "float64": case "f64": case "double": return FLOAT64;
            default: throw new IllegalArgumentException("unknown dtype '" + s + "', expected float32 or float64");
        }
    }

    @Override
    public String toString() { return torchName; }
}
