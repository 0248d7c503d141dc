package org.gradprobe.cli;

import picocli.CommandLine.Model.CommandSpec;

/** Options that were given but do not apply are refused, never silently ignored. */
final class OptionRules {
    private OptionRules() {}

    /** Whether {@code option} was given on the command line of {@code spec}. */
    static boolean given(CommandSpec spec, String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** A usage error when the output {@code out} is the input {@code in}: writing it would destroy that input. */
    static void notSameFile(String outOption, java.nio.file.Path out, String inOption, java.nio.file.Path in) {
        if (in == null || out == null) return;
        boolean same;
        try {
            same = java.nio.file.Files.exists(out) && java.nio.file.Files.exists(in) ? java.nio.file.Files.isSameFile(out, in)
                    : out.toAbsolutePath().normalize().equals(in.toAbsolutePath().normalize());
        } catch (java.io.IOException e) {
            same = false;
        }
        if (same) throw new UsageException(outOption + " " + out + " is the " + inOption + " file: writing it would destroy it; name another file");
    }

    /** A usage error for the first of {@code options} that was given: "OPTION " + {@code why}. */
    static void refuse(CommandSpec spec, String why, String... options) {
        for (String o : options) if (given(spec, o)) throw new UsageException(o + " " + why);
    }
}
