package org.gradprobe.cli.contract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradprobe.cli.contract.Contract.Case;

/**
 * Every numeric and path option of every command given a value it must refuse where it is parsed
 * (NaN, infinities, 1e999, out of its range, not an integer, empty), and stray arguments: each error
 * names the option and the value.
 */
final class OptionCases implements Contract.Source {
    /** Values no finite-number option takes. */
    private static final String[] NOT_FINITE = {"NaN", "Infinity", "-Infinity", "1e999"};

    private final List<Case> cases = new ArrayList<>();

    @Override
    public List<Case> cases(Path fixtures) {
        String out = fixtures.resolve("out").toString();
        // finite, any sign
        for (String cmd : new String[] {"train", "demo", "eval"}) {
            finite(cmd, "--mean");
        }
        finite("train", "--bias-init");
        finite("diagnose", "--bias-init");
        // > 0
        positive("train", "--std", "0", "-0.5");
        positive("eval", "--std", "0");
        positive("demo", "--std", "-1");
        positive("train", "--lr", "0", "-0.1");
        positive("diagnose", "--lr", "0", "-1e-3");
        positive("train", "--eps", "0");
        positive("diagnose", "--eps", "-1e-8");
        positive("train", "--clip-norm", "0", "-1");
        positive("train", "--clip-value", "0");
        positive("diagnose", "--clip-norm", "-2");
        positive("diagnose", "--clip-value", "0");
        // [0, 1) and [0, 1]
        range("train", "--momentum", "1", "-0.1", "1.5");
        range("diagnose", "--momentum", "1");
        range("train", "--beta1", "1", "-0.5");
        range("train", "--beta2", "1.0", "2");
        range("diagnose", "--beta1", "1");
        range("train", "--alpha", "1.01", "-1");
        range("train", "--weight-decay", "-0.01");
        range("diagnose", "--weight-decay", "-1");
        range("train", "--dampening", "-0.1");
        for (String v : new String[] {"NaN", "Infinity"}) {
            add("train --momentum " + v, 2, new String[] {"train", "--momentum", v}, "--momentum", v);
            add("train --weight-decay " + v, 2, new String[] {"train", "--weight-decay", v}, "--weight-decay", v);
            add("train --beta2 " + v, 2, new String[] {"train", "--beta2", v}, "--beta2", v);
        }
        // integers >= 1 (and train's --limit >= 0)
        for (String opt : new String[] {"--epochs", "--batch", "--log-every", "--probe-every", "--threads"}) integer("train", opt, "0", "-3", "2147483648", "2.5");
        for (String opt : new String[] {"--steps", "--batch"}) integer("diagnose", opt, "0", "-1", "1e3");
        integer("eval", "--batch", "0", "-256");
        integer("check", "--batch", "0", "99999999999");
        integer("demo", "--limit", "0", "-1");
        integer("demo", "--test-limit", "0");
        integer("demo", "--threads", "0");
        integer("bench", "--images", "0");
        integer("bench", "--rounds", "-5");
        integer("bench", "--threads", "0");
        add("bench --batch with a zero", 2, new String[] {"bench", "--batch", "4,0"}, "--batch", "'0'");
        add("train --limit negative", 2, new String[] {"train", "--limit", "-1"}, "--limit", "'-1'");
        add("train --limit past an int", 2, new String[] {"train", "--limit", "3000000000"}, "--limit", "3000000000");
        // empty paths: '' would mean the current folder
        for (String[] a : new String[][] {
                {"train", "--out", ""}, {"train", "--data", ""}, {"demo", "--out", ""}, {"demo", "--data", ""}, {"eval", "--weights", ""},
                {"eval", "--data", ""}, {"grads", "--weights", ""}, {"grads", "--batch", ""}, {"grads", "--out", ""}, {"report", "--out", ""},
                {"diagnose", "--data", ""}, {"train", "--model", ""}, {"train", "--init", ""}, {"check", "--model", ""}}) {
            add(a[0] + " " + a[1] + " empty", 2, a, a[1], "empty");
        }
        add("report RUN_DIR empty", 2, new String[] {"report", ""}, "RUN_DIR", "empty");
        // stray arguments
        add("zoo list with a name", 2, new String[] {"zoo", "list", "extra"}, "zoo list", "extra");
        add("models with two specs", 2, new String[] {"models", "seed-cnn", "extra"}, "extra");
        add("report with two folders", 2, new String[] {"report", out, "extra"}, "extra");
        add("train with a positional", 2, new String[] {"train", "extra"}, "extra");
        add("check with a positional", 2, new String[] {"check", "--ops", "extra"}, "extra");
        add("diagnose with a positional", 2, new String[] {"diagnose", "seed-cnn"}, "seed-cnn");
        add("zoo run with two names", 2, new String[] {"zoo", "run", "deep-sigmoid", "extra"}, "extra");
        return cases;
    }

    private void add(String name, int exit, String[] args, String... fragments) {
        cases.add(Case.of(name, exit, args, fragments));
    }

    private void finite(String cmd, String opt) {
        for (String v : NOT_FINITE) add(cmd + " " + opt + " " + v, 2, new String[] {cmd, opt + "=" + v}, opt, "'" + v + "'");
    }

    private void positive(String cmd, String opt, String... more) {
        for (String v : new String[] {"NaN", "Infinity"}) add(cmd + " " + opt + " " + v, 2, new String[] {cmd, opt, v}, opt, "'" + v + "'");
        for (String v : more) add(cmd + " " + opt + " " + v, 2, new String[] {cmd, opt + "=" + v}, opt, "'" + v + "'", "> 0");
    }

    private void range(String cmd, String opt, String... values) {
        for (String v : values) add(cmd + " " + opt + " " + v, 2, new String[] {cmd, opt + "=" + v}, opt, "'" + v + "'");
    }

    private void integer(String cmd, String opt, String... values) {
        for (String v : values) add(cmd + " " + opt + " " + v, 2, new String[] {cmd, opt + "=" + v}, opt, "'" + v + "'");
    }
}
