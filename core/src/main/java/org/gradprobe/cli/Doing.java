package org.gradprobe.cli;

/**
 * What the running command is doing and what to lower if it runs out of memory. An
 * {@link OutOfMemoryError} is an Error, which picocli does not hand to the execution exception
 * handler, so {@link Main} catches it around the command and names this in its one line.
 */
final class Doing {
    private Doing() {}

    /** A stage of a command: "training seed-cnn at batch 10000", and "--batch (10000)". */
    record Stage(String what, String lower) {}

    private static volatile Stage now;

    /** The command enters a new stage. */
    static void now(String what, String lower) {
        now = new Stage(what, lower);
    }

    static Stage current() {
        return now;
    }

    static void reset() {
        now = null;
    }

    /** The one line for an OutOfMemoryError in command {@code command}. */
    static String outOfMemory(String command) {
        Stage s = now != null ? now : new Stage("running '" + command + "'", defaultLower(command));
        long max = Runtime.getRuntime().maxMemory();
        return "out of memory while " + s.what() + " (Java heap limit " + bytes(max) + "): lower " + s.lower()
                + ", or give Java more heap with GRADPROBE_JAVA_OPTS=-Xmx" + suggestedHeapGiB(max) + "g";
    }

    private static String defaultLower(String command) {
        return switch (command) {
            case "train", "diagnose", "eval", "bench", "demo" -> "--batch or the model's size";
            case "grads" -> "the number of samples in the --batch file";
            case "check" -> "the model's size";
            default -> "the size of the input";
        };
    }

    /** Twice the current heap limit, in whole GiB, at least 1. */
    static long suggestedHeapGiB(long maxHeap) {
        long gib = 1L << 30;
        return Math.max(1, (2 * maxHeap + gib - 1) / gib);
    }

    static String bytes(long n) {
        return org.gradprobe.io.Heap.bytes(n);
    }
}
