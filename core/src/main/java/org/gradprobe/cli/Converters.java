package org.gradprobe.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option value converters, one per kind of value, named on each option where it is declared
 * ({@code converter = Converters.Positive.class}), so that every value is checked where it is parsed:
 * a number must be finite (NaN, Infinity and 1e999 are refused) and in its range, a path non-empty.
 * picocli turns a refusal into a usage error naming the option: "Invalid value for option '--lr': ...".
 */
final class Converters {
    private Converters() {}

    /** --loss: cross-entropy, mse or bce-logits. */
    static final class LossConverter implements ITypeConverter<Loss> {
        public Loss convert(String s) {
            try {
                return Loss.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DTypeConverter implements ITypeConverter<DType> {
        public DType convert(String s) {
            try {
                return DType.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A finite number, as Double.parseDouble reads it ("1e999" is Infinity, so it is refused too). */
    static double finite(String s, String expected) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a number (expected " + expected + ")");
        }
        if (!Double.isFinite(v)) throw new TypeConversionException("'" + s + "' is not a finite number (expected " + expected + ")");
        return v;
    }

    private static TypeConversionException outOfRange(String s, String expected) {
        return new TypeConversionException("'" + s + "' is out of range (expected " + expected + ")");
    }

    /** Any finite number: --mean, --bias-init. */
    static final class Finite implements ITypeConverter<Double> {
        public Double convert(String s) {
            return finite(s, "a finite number");
        }
    }

    /** A number > 0: --std, --lr, --eps, --clip-norm, --clip-value. */
    static final class Positive implements ITypeConverter<Double> {
        public Double convert(String s) {
            double v = finite(s, "a number > 0");
            if (!(v > 0)) throw outOfRange(s, "a number > 0");
            return v;
        }
    }

    /** A number >= 0: --weight-decay, --dampening. */
    static final class NonNegative implements ITypeConverter<Double> {
        public Double convert(String s) {
            double v = finite(s, "a number >= 0");
            if (!(v >= 0)) throw outOfRange(s, "a number >= 0");
            return v;
        }
    }

    /** A number in [0, 1): --momentum, --beta1, --beta2. */
    static final class Fraction implements ITypeConverter<Double> {
        public Double convert(String s) {
            double v = finite(s, "a number in [0, 1)");
            if (!(v >= 0 && v < 1)) throw outOfRange(s, "a number in [0, 1)");
            return v;
        }
    }

    /** A number in [0, 1]: --alpha. */
    static final class UnitInterval implements ITypeConverter<Double> {
        public Double convert(String s) {
            double v = finite(s, "a number in [0, 1]");
            if (!(v >= 0 && v <= 1)) throw outOfRange(s, "a number in [0, 1]");
            return v;
        }
    }

    static int integer(String s, String expected) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not an integer (expected " + expected + ")");
        }
    }

    /** An integer in [min, max], as each subclass names it (picocli makes converters through a no-argument constructor). */
    abstract static class IntRange implements ITypeConverter<Integer> {
        private final int min, max;

        IntRange(int min, int max) {
            this.min = min;
            this.max = max;
        }

        public Integer convert(String s) {
            String expected = "an integer " + min + " to " + max;
            int v = integer(s, expected);
            if (v < min || v > max) throw outOfRange(s, expected);
            return v;
        }
    }

    /** An integer >= 1: --epochs, --batch, --probe-every, --steps, ... */
    static final class PositiveInt extends IntRange {
        PositiveInt() {
            super(1, Integer.MAX_VALUE);
        }
    }

    /** --threads: 1 to {@link #MAX} (each is a thread of its own, and more than the cores only slow training down). */
    static final class Threads extends IntRange {
        static final int MAX = 256;

        Threads() {
            super(1, MAX);
        }
    }

    /** An integer >= 0: train's --limit (0: all). */
    static final class NonNegativeInt extends IntRange {
        NonNegativeInt() {
            super(0, Integer.MAX_VALUE);
        }
    }

    /** A non-empty path (an empty one would mean the current folder). */
    static final class NonEmptyPath implements ITypeConverter<Path> {
        public Path convert(String s) {
            if (s.isBlank()) throw new TypeConversionException("the path is empty");
            try {
                return Path.of(s);
            } catch (InvalidPathException e) {
                throw new TypeConversionException("'" + s + "' is not a path: " + e.getReason());
            }
        }
    }

    /** A non-empty text: --model, --init, --layer. */
    static final class NonEmpty implements ITypeConverter<String> {
        public String convert(String s) {
            if (s.isBlank()) throw new TypeConversionException("the value is empty");
            return s;
        }
    }

    /** Parses --input (CxHxW or N); null stays null. The shape's element count must fit a tensor. */
    static int[] dims(String option, String text) {
        if (text == null) return null;
        int[] d;
        try {
            d = Shapes.parseDims(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid " + option + ": " + e.getMessage());
        }
        long n = 1;
        for (int x : d) {
            n *= x;
            if (n > Integer.MAX_VALUE) {
                throw new UsageException("invalid " + option + ": " + text + " is more than 2^31-1 elements a sample");
            }
        }
        return d;
    }
}
