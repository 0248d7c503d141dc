package org.gradprobe.cli;

import org.gradprobe.data.SampleSet;
import org.gradprobe.train.Evaluation;

/** Small text renderings for the terminal. */
final class Reports {
    private Reports() {}

    /** Accuracy per class with a bar, from the confusion matrix. */
    static String perClass(Evaluation e, SampleSet data) {
        StringBuilder sb = new StringBuilder();
        int[][] cm = e.confusion();
        for (int c = 0; c < cm.length; c++) {
            int total = 0;
            for (int v : cm[c]) total += v;
            if (total == 0) continue;
            double acc = (double) cm[c][c] / total;
            int bar = (int) Math.round(acc * 30);
            int worst = -1;
            for (int j = 0; j < cm.length; j++) if (j != c && (worst < 0 || cm[c][j] > cm[c][worst])) worst = j;
            sb.append(String.format("  %-12s %5.1f%% %s%s", data.className(c), 100 * acc, "█".repeat(bar), " ".repeat(30 - bar)));
            if (worst >= 0 && cm[c][worst] > 0) sb.append(String.format("  most confused with %s (%d)", data.className(worst), cm[c][worst]));
            sb.append('\n');
        }
        return sb.toString();
    }
}
