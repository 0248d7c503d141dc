package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One piece of advice: prose and remedies (a setting to change, with its value). The library words a
 * remedy as a concept ({@link #text()}: "clip the gradient norm at 1"); a front end may render each
 * remedy its own way ({@link #render}), say with the command-line flag that applies it.
 */
public record Advice(List<Part> parts) {
    public Advice {
        parts = List.copyOf(parts);
    }

    /** A piece of the advice: prose or a remedy. */
    public sealed interface Part permits Text, Remedy {}

    /** Prose. */
    public record Text(String text) implements Part {}

    /** A setting to change and the value to change it to. */
    public record Remedy(Setting setting, double value) implements Part {
        /** The remedy in the library's words, e.g. "clip the gradient norm at 1". */
        public String text() {
            return setting.phrase + " " + number(value);
        }
    }

    /** The settings that advice may name. */
    public enum Setting {
        /** Clip the global L2 norm of the gradients. */
        CLIP_NORM("clip the gradient norm at"),
        /** A constant initial bias. */
        BIAS_INIT("initialize biases at");

        private final String phrase;

        Setting(String phrase) {
            this.phrase = phrase;
        }
    }

    /** Advice from pieces: each a String (prose) or a {@link Remedy}. */
    public static Advice of(Object... pieces) {
        List<Part> parts = new ArrayList<>();
        for (Object o : pieces) {
            if (o instanceof Part p) parts.add(p);
            else if (o instanceof String s) parts.add(new Text(s));
            else throw new IllegalArgumentException("advice piece is neither text nor a remedy: " + o);
        }
        return new Advice(parts);
    }

    /** This advice after {@code finding} and a colon: what was seen, then what to change. */
    public Advice after(String finding) {
        List<Part> all = new ArrayList<>();
        all.add(new Text(finding + ": "));
        all.addAll(parts);
        return new Advice(all);
    }

    /** The advice in the library's words. */
    public String text() {
        return render(Remedy::text);
    }

    /** The advice with each remedy written by {@code remedy}. */
    public String render(Function<Remedy, String> remedy) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) sb.append(p instanceof Remedy r ? remedy.apply(r) : ((Text) p).text());
        return sb.toString();
    }

    /** The remedies this advice names. */
    public List<Remedy> remedies() {
        List<Remedy> out = new ArrayList<>();
        for (Part p : parts) if (p instanceof Remedy r) out.add(r);
        return out;
    }

    @Override
    public String toString() {
        return text();
    }

    /** A value as a person writes it: 1, not 1.0. */
    public static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
