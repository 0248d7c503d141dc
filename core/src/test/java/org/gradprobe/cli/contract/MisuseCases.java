package org.gradprobe.cli.contract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradprobe.cli.contract.Contract.Case;

/**
 * Options given where they do not apply (refused, never ignored), and edge values of the spec and
 * shape syntax; found by trying the command line as a stranger would.
 */
final class MisuseCases implements Contract.Source {
    private static final String[] QUICK = {"--data", "synthetic", "--input", "4", "--model", "flatten linear(10)", "--steps", "2"};

    private static String[] diagnose(String... more) {
        List<String> a = new ArrayList<>(List.of("diagnose"));
        a.addAll(List.of(QUICK));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Override
    public List<Case> cases(Path fixtures) {
        List<Case> c = new ArrayList<>();
        // each optimizer option with an optimizer that does not take it
        String[][] wrong = {{"adam", "--momentum", "0.5"}, {"adamw", "--dampening", "0.1"}, {"adam", "--alpha", "0.5"}, {"sgd", "--beta1", "0.5"},
            {"sgd", "--beta2", "0.5"}, {"sgd", "--eps", "1e-3"}, {"sgd", "--alpha", "0.9"}, {"rmsprop", "--beta1", "0.5"},
            {"rmsprop", "--dampening", "0.3"}, {"adamw", "--momentum", "0.9"}};
        for (String[] w : wrong) {
            c.add(Case.of(w[1] + " with " + w[0], 2, diagnose("--optimizer", w[0], w[1], w[2]), w[1], w[0]));
        }
        c.add(Case.of("--centered with sgd", 2, diagnose("--centered"), "--centered", "sgd"));
        c.add(Case.of("--nesterov with adam", 2, diagnose("--optimizer", "adam", "--nesterov"), "--nesterov"));
        c.add(Case.of("--probe-every with --no-probe", 2, new String[] {"train", "--no-probe", "--probe-every", "5", "--limit", "8"}, "--probe-every", "--no-probe"));
        c.add(Case.of("--on-nonfinite with --no-probe", 2, new String[] {"train", "--no-probe", "--on-nonfinite", "skip", "--limit", "8"}, "--on-nonfinite"));
        c.add(Case.of("check --ops with --input", 2, new String[] {"check", "--ops", "--input", "1x2x2"}, "--input", "--ops"));
        c.add(Case.of("check --ops with --batch", 2, new String[] {"check", "--ops", "--batch", "7"}, "--batch", "--ops"));
        c.add(Case.of("models with SPEC and --model", 2, new String[] {"models", "seed-cnn", "--model", "mlp(2,4,relu)"}, "SPEC", "--model"));
        c.add(Case.of("models --input without a spec", 2, new String[] {"models", "--input", "3x9x9"}, "--input"));
        c.add(Case.of("models --dtype without a spec", 2, new String[] {"models", "--dtype", "float64"}, "--dtype"));
        c.add(Case.of("a keyword argument twice", 2, new String[] {"models", "linear(10,bias=true,bias=false)", "--input", "4"}, "bias", "twice"));
        c.add(Case.of("a slope twice", 2, new String[] {"models", "leakyrelu(slope=0.1,slope=0.2)", "--input", "4"}, "slope", "twice"));
        c.add(Case.of("residuals nested 3000 deep", 2,
                new String[] {"models", "residual(".repeat(3000) + "linear(4)" + ")".repeat(3000), "--input", "4"}, "nested more than"));
        c.add(Case.of("--input with a trailing x", 2, new String[] {"models", "flatten linear(10)", "--input", "1x28x28x"}, "--input", "1x28x28x"));
        c.add(Case.of("--input with a leading x", 2, new String[] {"models", "flatten linear(10)", "--input", "x1x28x28"}, "--input"));
        c.add(Case.of("--threads beyond any machine", 2, new String[] {"train", "--threads", "100000", "--limit", "8"}, "--threads", "1 to 256"));
        c.add(Case.of("an init whose scale overflows", 2, diagnose("--init", "normal(1e308)*1e308"), "--init", "overflows"));
        c.add(Case.of("bench with no batch size", 2, new String[] {"bench", "--batch=,", "--modes", "off", "--no-check", "--no-gemm", "--no-stats"}, "--batch"));
        c.add(Case.of("bench with a batch no tensor holds", 2,
                new String[] {"bench", "--batch", "99999999", "--modes", "off", "--no-check", "--no-gemm", "--no-stats"}, "--batch 99999999"));
        c.add(Case.of("bench with no mode", 2, new String[] {"bench", "--modes=,", "--no-check", "--no-gemm", "--no-stats"}, "--modes"));
        c.add(Case.of("train a model without parameters", 2, new String[] {"train", "--model", "flatten", "--limit", "8"}, "--model", "no parameters"));
        c.add(Case.of("diagnose a model without parameters", 2, new String[] {"diagnose", "--data", "synthetic", "--input", "4", "--model", "flatten relu", "--steps", "2"},
                "--model", "no parameters"));
        return c;
    }
}
