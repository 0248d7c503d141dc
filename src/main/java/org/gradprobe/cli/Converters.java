package org.gradprobe.cli;

import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import picocli.CommandLine;

/** Option value converters: a bad value becomes a usage error naming the option. */
final class Converters {
    private Converters() {}

    static final class DTypeConverter implements CommandLine.ITypeConverter<DType> {
        public DType convert(String s) {
            try {
                return DType.parse(s);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses --input (CxHxW or N); null stays null. */
    static int[] dims(String option, String text) {
        if (text == null) return null;
        try {
            return Shapes.parseDims(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid " + option + ": " + e.getMessage());
        }
    }

    static void positive(String option, double v) {
        if (!(v > 0) || !Double.isFinite(v)) throw new UsageException("invalid " + option + ": " + v + " (expected a positive number)");
    }

    static void nonNegative(String option, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) throw new UsageException("invalid " + option + ": " + v + " (expected a number >= 0)");
    }

    static void positive(String option, int v) {
        if (v < 1) throw new UsageException("invalid " + option + ": " + v + " (expected a positive integer)");
    }
}
