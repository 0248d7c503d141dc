package org.gradprobe.cli.contract;

import java.nio.file.Path;
import java.util.List;
import org.gradprobe.cli.contract.Contract.Case;

/** Commands and options that do not exist, and stray arguments. */
final class CommandCases implements Contract.Source {
    @Override
    public List<Case> cases(Path fixtures) {
        return List.of(
                Case.of("unknown command", 2, new String[] {"trian"}, "trian"),
                Case.of("unknown option", 2, new String[] {"train", "--epoks", "1"}, "--epoks"),
                Case.of("option without its value", 2, new String[] {"train", "--lr"}, "--lr"),
                Case.of("not a number", 2, new String[] {"train", "--lr", "fast"}, "--lr", "fast"),
                Case.of("not an integer", 2, new String[] {"train", "--batch", "4.5"}, "--batch"));
    }
}
