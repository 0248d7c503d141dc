package org.gradprobe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gradprobe.io.AtomicFile;
import org.gradprobe.report.HtmlReport;
import org.gradprobe.report.RunData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** gradprobe report: rebuild the HTML report of a run from its JSON lines. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild RUN_DIR/report.html from RUN_DIR/metrics.jsonl (self-contained: open it in any browser, offline).")
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", converter = Converters.NonEmptyPath.class, description = "A run folder written by 'gradprobe train', or a metrics.jsonl file.")
    Path run;

    @Option(names = "--out", paramLabel = "FILE", converter = Converters.NonEmptyPath.class, description = "Where to write the HTML (default: RUN_DIR/report.html).")
    Path out;

    @Override
    public Integer call() {
        Path log = Files.isDirectory(run) ? run.resolve(RunFolder.METRICS) : run;
        Path html = out != null ? out : (Files.isDirectory(run) ? run : run.toAbsolutePath().getParent()).resolve("report.html");
        if (out == null && OptionRules.sameFile(log, html)) {
            throw new UsageException(run + ": is where the report goes, not a run log: give the run folder or its metrics.jsonl");
        }
        OptionRules.notSameFile("--out", html, "run log (metrics.jsonl)", log);
        AtomicFile.writeString(html, HtmlReport.render(RunData.read(log)));
        // the temporaries a run killed in the middle of a write left (a new run in the folder would remove them too)
        int stray;
        try {
            stray = RunFolder.removeTemporaries(html.toAbsolutePath().getParent());
        } catch (IOException e) {
            stray = 0;    // best effort: the report is written
        }
        System.out.println("wrote " + html + (stray > 0 ? " (removed " + stray + " temporary files an interrupted run left)" : ""));
        return 0;
    }
}
