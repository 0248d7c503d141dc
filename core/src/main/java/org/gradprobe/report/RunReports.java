package org.gradprobe.report;

import java.nio.file.Path;
import org.gradprobe.io.AtomicFile;

/** A run folder's reports, drawn from its run log: report.html and TensorBoard's events. */
public final class RunReports {
    private RunReports() {}

    /** The run log in a run folder. */
    public static final String METRICS = "metrics.jsonl";
    /** The HTML report in a run folder. */
    public static final String REPORT = "report.html";
    /** TensorBoard's events in a run folder. */
    public static final String TENSORBOARD = "tensorboard";

    /** Writes {@code dir}'s report.html (atomically) and TensorBoard events from its metrics.jsonl as it stands; returns report.html. */
    public static Path write(Path dir) {
        RunData record = RunData.read(dir.resolve(METRICS));
        Path html = dir.resolve(REPORT);
        AtomicFile.writeString(html, HtmlReport.render(record));
        TensorBoard.write(record, dir.resolve(TENSORBOARD), System.currentTimeMillis() / 1000.0);
        return html;
    }
}
