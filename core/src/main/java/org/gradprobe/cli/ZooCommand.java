package org.gradprobe.cli;

import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import org.gradprobe.io.Json;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.probe.Verdict;
import org.gradprobe.probe.Zoo;
import org.gradprobe.report.TerminalReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** gradprobe zoo: named pathologies and the verdicts they must produce. */
@Command(name = "zoo", mixinStandardHelpOptions = true,
        description = "The pathology zoo: 'gradprobe zoo list' names the scenarios; 'gradprobe zoo run NAME' (or 'all') runs one with the "
                + "probe and checks that it gives its expected verdicts (exit code 1 if not).")
final class ZooCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "list|run", description = "list or run")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Scenario name, or all.")
    String name;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print each diagnosis as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (action.equals("list")) {
            if (name != null) throw new UsageException("zoo list takes no NAME, got '" + name + "'");
            for (Zoo.Scenario s : Zoo.scenarios()) {
                System.out.printf("%-22s %s%n%22s   %s; %s lr %s, %d steps of batch %d; expects %s%n", s.name(), s.description(), "",
                        "\"" + s.spec() + "\"" + s.options(),
                        s.optimizer(), s.lr(), s.steps(), s.batch(), s.healthy() ? "healthy" : s.expect().stream().map(Verdict::jsonName).sorted().collect(Collectors.joining(", ")));
            }
            return 0;
        }
        if (!action.equals("run")) throw new UsageException("unknown zoo action '" + action + "' (expected list or run)");
        if (name == null) throw new UsageException("zoo run needs a scenario name (see 'gradprobe zoo list') or all");
        List<Zoo.Scenario> todo = name.equals("all") ? Zoo.scenarios() : null;
        if (todo == null) {
            Zoo.Scenario s = Zoo.find(name);
            if (s == null) throw new UsageException("unknown scenario '" + name + "' (see 'gradprobe zoo list')");
            todo = List.of(s);
        }
        int failed = 0;
        for (Zoo.Scenario s : todo) {
            Diagnosis d = Zoo.run(s, seed);
            List<String> problems = Zoo.check(s, d);
            if (json) {
                System.out.println(Json.write(d.toJson()));
            } else {
                System.out.println("== " + s.name() + ": " + s.description());
                System.out.print(TerminalReport.render(d.probe(), d, Flags::remedy));
            }
            System.out.println((problems.isEmpty() ? "PASS " : "FAIL ") + s.name() + (problems.isEmpty() ? "" : ": " + problems));
            if (!problems.isEmpty()) failed++;
        }
        return failed == 0 ? 0 : 1;
    }
}
