package org.gradprobe.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM during a long command: the first asks the work to end cleanly (the
 * command finishes the step it is in and writes what it has); a second one ends the process at once,
 * with the signal's exit code (130, 143), for a user who will not wait. While installed, the JVM's
 * own handling (exit at once) is replaced; {@link #close} restores it.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, in every JDK) is the only way Java has to handle
 * a signal without exiting: a shutdown hook runs while the JVM is already going down.
 */
final class Interrupts implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile String received;

    /** Installs the handlers; {@code onFirst} runs (on a signal-handling thread) when the first signal arrives. */
    Interrupts(Runnable onFirst) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal sig = new Signal(name);
            SignalHandler handler = s -> {
                if (received != null) Runtime.getRuntime().halt(exitCode(s.getName()));
                received = s.getName();
                System.err.println();
                System.err.println("gradprobe: SIG" + s.getName() + ": finishing the step in progress and writing what was recorded"
                        + " (again to quit at once)");
                onFirst.run();
            };
            try {
                previous.add(Signal.handle(sig, handler));
                signals.add(sig);
            } catch (IllegalArgumentException e) {
                // the signal cannot be handled here (the JVM uses it, or the platform lacks it): keep the default
            }
        }
    }

    /** The signal received ("INT", "TERM"), or null. */
    String received() {
        return received;
    }

    /** The exit code of a process ended by {@code signal}: 128 + its number, as a shell reports it. */
    static int exitCode(String signal) {
        return signal.equals("TERM") ? 143 : 130;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) Signal.handle(signals.get(i), previous.get(i));
    }
}
