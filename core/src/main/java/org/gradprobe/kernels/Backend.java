package org.gradprobe.kernels;

import java.util.Locale;

/**
 * Chooses the kernels once, at first use. {@code vector} (the Vector API, the default when the JVM was
 * started with {@code --add-modules jdk.incubator.vector}, as the launcher and the build do) or
 * {@code java} (plain loops, always available). The system property {@code gradprobe.kernels} or the
 * environment variable {@code GRADPROBE_KERNELS} forces one; asking for {@code vector} on a JVM without
 * the module is an error rather than a silent slow run.
 */
final class Backend {
    /** Whether the Vector API kernels are in use (else the plain loops). */
    static final boolean VECTOR;
    static final String DESCRIPTION;

    static {
        String source = System.getProperty("gradprobe.kernels") != null ? "-Dgradprobe.kernels" : "GRADPROBE_KERNELS";
        String asked = System.getProperty("gradprobe.kernels", System.getenv("GRADPROBE_KERNELS"));
        asked = asked == null || asked.isBlank() ? "auto" : asked.trim().toLowerCase(Locale.ROOT);
        boolean vectorPresent = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        switch (asked) {
            case "auto":
            case "vector":
                if (vectorPresent) {
                    VECTOR = true;
                    DESCRIPTION = "vector (" + VectorProductsF32.describe() + ", " + VectorProductsF64.describe() + ")";
                } else if (asked.equals("auto")) {
                    VECTOR = false;
                    DESCRIPTION = "java (the JVM was started without --add-modules jdk.incubator.vector)";
                } else {
                    throw new IllegalStateException(source + "=vector, but the JVM was started without "
                            + "--add-modules jdk.incubator.vector (use the gradprobe launcher, or add that flag)");
                }
                break;
            case "java":
                VECTOR = false;
                DESCRIPTION = "java";
                break;
            default:
                throw new IllegalStateException(source + "=" + asked + ": unknown kernels, expected vector or java");
        }
    }

    private Backend() {}
}
