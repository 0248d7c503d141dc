package org.gradprobe.cli;

import org.gradprobe.kernels.Parallel;
import picocli.CommandLine.Option;

/** --threads, for the commands that compute: validated and applied in one place. */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", converter = Converters.Threads.class,
            description = "Compute threads, 1 to " + Converters.Threads.MAX + " (default: the available cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    /** Validates the value and sets the thread count of the kernels; returns it. */
    int apply() {
        Parallel.setThreads(threads);
        return threads;
    }
}
