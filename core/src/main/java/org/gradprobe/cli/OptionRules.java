package org.gradprobe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** Options that were given but do not apply are refused, never silently ignored. */
final class OptionRules {
    private OptionRules() {}

    /** Whether {@code option} was given on the command line of {@code spec}. */
    static boolean given(CommandSpec spec, String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** A usage error when the output {@code out} is the input {@code in}: writing it would destroy that input. */
    static void notSameFile(String outOption, Path out, String inOption, Path in) {
        if (in != null && out != null && sameFile(out, in)) {
            throw new UsageException(outOption + " " + out + " is the " + inOption + " file: writing it would destroy it; name another file");
        }
    }

    /** Whether {@code a} and {@code b} name one file (links followed when both exist, else the same normalized path). */
    static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) ? Files.isSameFile(a, b) : a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        } catch (IOException e) {
            return false;
        }
    }

    /** A usage error for the first of {@code options} that was given: "OPTION " + {@code why}. */
    static void refuse(CommandSpec spec, String why, String... options) {
        for (String o : options) if (given(spec, o)) throw new UsageException(o + " " + why);
    }
}
