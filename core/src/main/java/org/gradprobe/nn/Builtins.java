package org.gradprobe.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in networks of the spec language: the seed CNN (and its CIFAR-10 variant) and the deep MLPs
 * the zoo is made of ({@code mlp}, {@code mlp-bn}, {@code resmlp}), each a name that expands into a
 * plain spec, with a default input shape.
 */
public final class Builtins {
    private Builtins() {}

    /** A named network with a default input shape. */
    public record Builtin(String name, String usage, String description, int[] defaultInput) {}

    private static final String SEED = "conv1=conv2d(32,3) relu maxpool2d(2) conv2=conv2d(64,3) relu maxpool2d(2) "
            + "flatten fc1=linear(128) relu fc2=linear(10)";

    public static List<Builtin> builtins() {
        return List.of(
                new Builtin("seed-cnn", "seed-cnn", "the reference CNN: " + SEED, new int[] {1, 28, 28}),
                new Builtin("seed-cnn-cifar", "seed-cnn-cifar", "the same CNN on CIFAR-10 images", new int[] {3, 32, 32}),
                new Builtin("mlp", "mlp(DEPTH,WIDTH,ACT)", "flatten, DEPTH × (linear(WIDTH) ACT), linear(10)", new int[] {1, 28, 28}),
                new Builtin("mlp-bn", "mlp-bn(DEPTH,WIDTH,ACT)", "as mlp with batchnorm before each activation", new int[] {1, 28, 28}),
                new Builtin("resmlp", "resmlp(DEPTH,WIDTH,ACT)",
                        "flatten linear(WIDTH) ACT, DEPTH × residual(linear(WIDTH) ACT), linear(10)", new int[] {1, 28, 28}));
    }

    private static final Pattern BUILTIN = Pattern.compile("([a-z][a-z0-9-]*)(?:\\(([^()]*)\\))?");

    /** A spec with its built-in expanded, and the built-in's default input shape (null for a plain spec). */
    public record Resolved(String spec, int[] defaultInput) {}

    /** Expands a built-in name into its spec; a plain spec is returned as it is. */
    public static Resolved resolve(String text) {
        String t = text.trim();
        Matcher m = BUILTIN.matcher(t);
        if (m.matches()) {
            String name = m.group(1);
            for (Builtin b : builtins()) {
                if (!b.name().equals(name)) continue;
                switch (name) {
                    case "seed-cnn": case "seed-cnn-cifar":
                        if (m.group(2) != null) throw new SpecException(name + " takes no arguments");
                        return new Resolved(SEED, b.defaultInput());
                    default:
                        return new Resolved(expandMlp(name, m.group(2), b.usage()), b.defaultInput());
                }
            }
        }
        return new Resolved(t, null);
    }

    private static String expandMlp(String name, String args, String usage) {
        String[] a = args == null ? new String[0] : args.split(",");
        if (a.length != 3) throw new SpecException(name + ": expected " + usage + ", e.g. " + name + "(8,64,relu)");
        int depth = intArg(name, "DEPTH", a[0].trim());
        int width = intArg(name, "WIDTH", a[1].trim());
        String act = a[2].trim().toLowerCase(Locale.ROOT);
        if (!Arrays.asList("relu", "leakyrelu", "sigmoid", "tanh", "gelu").contains(act)) {
            throw new SpecException(name + ": unknown activation '" + a[2].trim() + "', expected relu, leakyrelu, sigmoid, tanh or gelu");
        }
        long layers = 2 + (long) depth * (name.equals("mlp-bn") ? 3 : 2);
        if (layers > ModelSpec.MAX_LAYERS) {
            throw new SpecException(name + "(" + args + "): DEPTH " + depth + " makes " + String.format("%,d", layers) + " layers, more than "
                    + String.format("%,d", ModelSpec.MAX_LAYERS) + ": lower DEPTH");
        }
        StringBuilder sb = new StringBuilder("flatten");
        if (name.equals("resmlp")) {
            sb.append(" linear(").append(width).append(") ").append(act);
            for (int i = 0; i < depth; i++) sb.append(" residual(linear(").append(width).append(") ").append(act).append(")");
        } else {
            for (int i = 0; i < depth; i++) {
                sb.append(" linear(").append(width).append(")");
                if (name.equals("mlp-bn")) sb.append(" batchnorm");
                sb.append(' ').append(act);
            }
        }
        return sb.append(" linear(10)").toString();
    }

    private static int intArg(String where, String what, String s) {
        try {
            int v = Integer.parseInt(s);
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new SpecException(where + ": " + what + " must be a positive integer, got '" + s + "'");
    }

}
