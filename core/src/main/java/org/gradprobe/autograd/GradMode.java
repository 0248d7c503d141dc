package org.gradprobe.autograd;

/** Whether ops record a graph on this thread (PyTorch's torch.no_grad, as a try-with-resources). */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** {@code try (var g = GradMode.noGrad()) { ... }}: nothing inside records a graph. */
    public static Scope noGrad() {
        boolean before = ENABLED.get();
        ENABLED.set(Boolean.FALSE);
        return new Scope(before);
    }

    /** Restores the previous mode when closed. */
    public record Scope(boolean before) implements AutoCloseable {
        @Override
        public void close() {
            ENABLED.set(before);
        }
    }
}
