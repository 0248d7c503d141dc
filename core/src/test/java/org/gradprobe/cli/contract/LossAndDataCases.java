package org.gradprobe.cli.contract;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradprobe.cli.contract.Contract.Case;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Checkpoint;

/**
 * --loss on every command that takes it (a name it does not know, a loss whose targets the data does
 * not have, where it does not apply), grads' float targets for mse and bce-logits (dtype, shape), and
 * the generated data sets of --data with a model input they cannot fill.
 */
final class LossAndDataCases implements Contract.Source {
    private static final String SPEC = "flatten linear(10)";
    private final List<Case> cases = new ArrayList<>();

    @Override
    public List<Case> cases(Path fixtures) throws IOException {
        lossCases(fixtures);
        addingCases();
        textCases(fixtures);
        return cases;
    }

    private void add(String name, int exit, String[] args, String... fragments) {
        cases.add(Case.of(name, exit, args, fragments));
    }

    private void lossCases(Path root) throws IOException {
        Path weights = root.resolve("w.safetensors");
        Checkpoint.save(ModelSpec.build(SPEC, new int[] {1, 2, 2}, DType.FLOAT32, Init.pytorchDefault(), 0), weights, "test");
        Path classes = root.resolve("classes.safetensors");
        new SafeTensors.Writer().put("input", Tensor.zeros(DType.FLOAT64, 2, 1, 2, 2)).putLongs("target", new int[] {2}, new long[] {1, 3}).write(classes);
        Path flat = root.resolve("flat-values.safetensors");
        new SafeTensors.Writer().put("input", Tensor.zeros(DType.FLOAT64, 2, 1, 2, 2)).put("target", Tensor.zeros(DType.FLOAT64, 2)).write(flat);
        Path out = root.resolve("g.safetensors");
        String[] grads = {"grads", "--model", SPEC, "--input", "1x2x2", "--weights", weights.toString(), "--out", out.toString(), "--batch"};

        for (String v : new String[] {"hinge", "", "cross_entropy"}) {
            add("train --loss '" + v + "'", 2, new String[] {"train", "--loss", v, "--limit", "8"}, "--loss", "'" + v + "'");
        }
        add("diagnose --loss unknown", 2, new String[] {"diagnose", "--data", "synthetic", "--input", "4", "--model", SPEC, "--loss", "l1"},
                "--loss", "'l1'", "expected cross-entropy, mse or bce-logits");
        add("grads --loss unknown", 2, cat(grads, classes.toString(), "--loss", "nll"), "--loss", "'nll'");
        add("check --loss unknown", 2, new String[] {"check", "--model", SPEC, "--input", "4", "--loss", "huber"}, "--loss", "'huber'");
        // a loss the data's targets do not fit
        add("train --loss mse on class labels", 2, new String[] {"train", "--loss", "mse", "--limit", "8"}, "--loss mse", "class indices",
                "--loss cross-entropy");
        add("diagnose --loss bce-logits on class labels", 2,
                new String[] {"diagnose", "--data", "synthetic", "--input", "4", "--model", SPEC, "--loss", "bce-logits", "--steps", "2"},
                "--loss bce-logits", "class indices");
        // where it does not apply
        add("check --ops with --loss", 2, new String[] {"check", "--ops", "--loss", "mse"}, "--loss", "--ops");
        add("check --layer with --loss", 2, new String[] {"check", "--model", SPEC, "--input", "4", "--layer", "1", "--loss", "mse"},
                "--loss", "--layer");
        // grads: float targets for mse and bce-logits, class indices for cross-entropy
        add("grads --loss mse with class indices", 1, cat(grads, classes.toString(), "--loss", "mse"), classes.toString(),
                "target has dtype I64, expected F32 or F64 values for mse");
        add("grads --loss bce-logits with targets not shaped as the output", 1, cat(grads, flat.toString(), "--loss", "bce-logits"), flat.toString(),
                "target has shape [2], expected [2, 10]", "bce-logits");
        add("grads --loss cross-entropy with values", 1, cat(grads, flat.toString(), "--loss", "cross-entropy"), flat.toString(),
                "target has dtype F64, expected I64");
    }

    private void addingCases() {
        String[] linear = {"--model", "flatten linear(1)", "--steps", "2"};
        for (String in : new String[] {"1x28x28", "100x3", "1x2", "200"}) {
            add("diagnose --data adding --input " + in, 2, cat(new String[] {"diagnose", "--data", "adding", "--input", in}, linear),
                    "--data adding", "--input Tx2", in);
        }
        add("train --data adding --input 50x1", 2, new String[] {"train", "--data", "adding", "--input", "50x1", "--model", "flatten linear(1)"},
                "--data adding", "--input Tx2", "50x1");
        add("diagnose --data adding --loss cross-entropy", 2, cat(new String[] {"diagnose", "--data", "adding", "--loss", "cross-entropy"}, linear),
                "--loss cross-entropy", "adding problem", "values", "--loss mse");
        add("train --data adding --loss cross-entropy", 2, new String[] {"train", "--data", "adding", "--loss", "cross-entropy", "--model", "flatten linear(1)"},
                "--loss cross-entropy", "values");
        add("demo --data adding", 2, new String[] {"demo", "--data", "adding"}, "--data adding", "demo trains on images");
    }

    private void textCases(Path root) throws IOException {
        String[] lm = {"--model", "flatten linear(64)", "--steps", "2"};
        add("train --data text with a model whose output is not [T, V]", 2, new String[] {"train", "--data", "text", "--model", "flatten linear(64)"},
                "--data text", "output must be [T, V]", "[64]");
        add("diagnose --data text --input 8x8", 2, cat(new String[] {"diagnose", "--data", "text", "--input", "8x8"}, lm), "--data text", "--input T", "8x8");
        add("diagnose --data text: without a file", 2, cat(new String[] {"diagnose", "--data", "text:"}, lm), "--data text:", "text:FILE");
        Path missing = root.resolve("missing.txt"), empty = java.nio.file.Files.writeString(root.resolve("empty.txt"), "");
        Path folder = java.nio.file.Files.createDirectories(root.resolve("texts"));
        Path shortText = java.nio.file.Files.writeString(root.resolve("short.txt"), "a short text");
        String[] charModel = {"--model", "embedding(32,8) rnn(8) linear(32)", "--steps", "2"};
        add("diagnose --data text: a text too short for T", 1, cat(new String[] {"diagnose", "--data", "text:" + shortText, "--input", "16"}, charModel),
                shortText.toString(), "12 characters, too short for windows of T = 16");
        add("diagnose --data text --loss mse", 2, cat(new String[] {"diagnose", "--data", "text", "--input", "16", "--loss", "mse"}, charModel),
                "--loss mse", "class indices", "--loss cross-entropy");
        String[][] bad = {{missing.toString(), "no such file"}, {empty.toString(), "empty, expected a text"},
            {folder.toString(), "is a directory, expected a file"}};
        for (String[] b : bad) {
            add("diagnose --data text:" + b[1], 1, cat(new String[] {"diagnose", "--data", "text:" + b[0], "--input", "16"}, lm), b[0], b[1]);
            add("train --data text:" + b[1], 1, new String[] {"train", "--data", "text:" + b[0], "--input", "16", "--model", "flatten linear(64)",
                "--out", root.resolve("run").toString()}, b[0], b[1]);
        }
        add("demo --data text", 2, new String[] {"demo", "--data", "text"}, "--data text", "demo trains on images");
    }

    static String[] cat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
