package org.gradprobe.cli;

import picocli.CommandLine.Model.CommandSpec;

/** Options that were given but do not apply are refused, never silently ignored. */
final class OptionRules {
    private OptionRules() {}

    /** Whether {@code option} was given on the command line of {@code spec}. */
    static boolean given(CommandSpec spec, String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** A usage error for the first of {@code options} that was given: "OPTION " + {@code why}. */
    static void refuse(CommandSpec spec, String why, String... options) {
        for (String o : options) if (given(spec, o)) throw new UsageException(o + " " + why);
    }
}
