package org.gradprobe.cli.contract;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradprobe.cli.contract.Contract.Case;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * Models refused before anything is allocated, on every command that builds one: two layers of one
 * name (both named), a layer or input past 2^31-1 elements (the layer and shape named), a batch whose
 * tensors could not exist (the option named), and a job that cannot fit any plausible heap (what needs
 * the most, what to lower). The sizes are far beyond any machine's memory, so the cases refuse on any.
 */
final class ModelCases implements Contract.Source {
    /** 60 elementwise layers: each keeps its output and its input's gradient. */
    private static final String ACTIVATIONS = " relu tanh".repeat(30).trim();

    private final List<Case> cases = new ArrayList<>();

    @Override
    public List<Case> cases(Path fixtures) throws IOException {
        Path weights = fixtures.resolve("w.safetensors");
        new SafeTensors.Writer().put("x", Tensor.zeros(DType.FLOAT32, 1)).write(weights);
        String w = weights.toString(), missing = fixtures.resolve("none.safetensors").toString(), out = fixtures.resolve("g.safetensors").toString();

        // duplicate names: the first layer would be silently never trained nor saved
        String dup = "flatten a=linear(3) a=linear(3)";
        add("train, duplicate names", new String[] {"train", "--model", dup}, "duplicate layer name 'a'", "a=linear(3) and a=linear(3)");
        add("diagnose, duplicate names", new String[] {"diagnose", "--model", dup, "--data", "synthetic", "--input", "4"}, "duplicate layer name 'a'");
        add("models, duplicate names", new String[] {"models", dup, "--input", "4"}, "duplicate layer name 'a'");
        add("check, duplicate names", new String[] {"check", "--model", dup, "--input", "4"}, "duplicate layer name 'a'");
        add("grads, duplicate names", new String[] {"grads", "--model", dup, "--input", "4", "--weights", missing, "--batch", missing, "--out", out},
                "duplicate layer name 'a'");
        add("eval, duplicate names", new String[] {"eval", "--weights", w, "--model", "flatten fc=linear(10) relu fc=linear(10)"}, "duplicate layer name 'fc'");
        add("duplicate names in a residual", new String[] {"models", "flatten linear(8) residual(x=linear(8) x=relu)", "--input", "8"},
                "duplicate layer name '2.x'");
        add("duplicate conv names", new String[] {"models", "c=conv2d(4,3) relu c=conv2d(4,3) flatten linear(10)", "--input", "1x28x28"}, "duplicate layer name 'c'");

        // a layer's own tensors past 2^31-1 elements
        add("train, linear(100000000)", new String[] {"train", "--model", "flatten linear(100000000)"}, "layer 1 (linear(100000000))", "100000000x784");
        add("models, linear(100000000)", new String[] {"models", "linear(100000000)", "--input", "784"}, "layer 0 (linear(100000000))", "weight");
        add("check, linear(100000000)", new String[] {"check", "--model", "linear(100000000)", "--input", "784"}, "layer 0", "100000000x784");
        add("diagnose, named wide layer", new String[] {"diagnose", "--model", "flatten big=linear(3000000)", "--data", "synthetic", "--input", "1x28x28"}, "layer big", "3000000x784");
        add("grads, wide layer", new String[] {"grads", "--model", "linear(100000000)", "--input", "784", "--weights", missing, "--batch", missing, "--out", out},
                "layer 0", "100000000x784");
        add("eval, wide layer", new String[] {"eval", "--weights", w, "--model", "flatten linear(100000000)"}, "layer 1", "100000000x784");
        add("conv output past an int", new String[] {"models", "c=conv2d(100000,3,padding=100000)", "--input", "1x28x28"}, "layer c", "output 100000x");
        add("conv weight past an int", new String[] {"models", "conv2d(50000,9) flatten linear(10)", "--input", "1000x9x9"}, "layer 0", "weight 50000x1000x9x9");
        add("mlp depth", new String[] {"models", "mlp(100000000,16,relu)"}, "mlp(100000000,16,relu)", "DEPTH 100000000");
        add("train, mlp depth", new String[] {"train", "--model", "mlp(100000000,16,relu)"}, "DEPTH 100000000");
        add("resmlp width", new String[] {"models", "resmlp(2,100000,relu)"}, "layer 3.0", "100000x100000");
        add("input past an int", new String[] {"models", "flatten linear(10)", "--input", "100000x100000x100000"}, "--input", "100000x100000x100000");
        add("check, input past an int", new String[] {"check", "--model", "relu", "--input", "65536x65536"}, "--input", "65536x65536");

        // a batch whose tensors cannot exist: the option and the shape named
        add("train --batch 2147483647", new String[] {"train", "--batch", "2147483647"}, "--batch 2147483647", "1x28x28");
        add("diagnose --batch 2147483647", new String[] {"diagnose", "--batch", "2147483647", "--data", "synthetic"}, "--batch 2147483647", "1x28x28");
        add("check --batch x --input", new String[] {"check", "--model", "flatten linear(10)", "--input", "100000", "--batch", "100000"}, "--batch 100000", "100000");
        add("check, batch x conv output", new String[] {"check", "--model", "c=conv2d(64,3) flatten linear(10)", "--input", "1x100x100", "--batch", "10000000"},
                "--batch 10000000", "layer c");
        add("eval --batch 2147483647", new String[] {"eval", "--weights", w, "--model", "seed-cnn", "--batch", "2147483647"}, "--batch 2147483647");
        add("train, batch x wide layer", new String[] {"train", "--model", "flatten linear(2000000)", "--batch", "2000"}, "--batch 2000", "linear(2000000)");

        // jobs no heap holds: parameters (make the layer smaller) or activations (lower --batch)
        add("models, terabytes of weights", new String[] {"models", "mlp(1000,40000,relu)"}, "models needs about", "TB", "layer", "make that layer smaller");
        add("train, terabytes of weights", new String[] {"train", "--model", "mlp(100,40000,relu)"}, "train needs about", "optimizer state", "make that layer smaller");
        add("train --optimizer adam, large weights", new String[] {"train", "--optimizer", "adam", "--model", "mlp(30,40000,tanh)"}, "optimizer state", "linear(40000)");
        add("diagnose, terabytes of weights", new String[] {"diagnose", "--model", "mlp(50,40000,relu)", "--data", "synthetic"}, "diagnose needs about", "make that layer smaller");
        add("check, terabytes of weights", new String[] {"check", "--model", "mlp(50,40000,relu)"}, "check needs about", "make that layer smaller");
        add("grads, terabytes of weights", new String[] {"grads", "--model", "mlp(50,40000,relu)", "--input", "1x28x28", "--weights", missing, "--batch", missing,
            "--out", out}, "grads needs about", "make that layer smaller");
        add("eval, terabytes of weights", new String[] {"eval", "--weights", w, "--model", "mlp(50,40000,relu)"}, "eval needs about", "make that layer smaller");
        String deep = "flatten linear(1000000)" + " relu tanh".repeat(40) + " linear(10)";
        add("train, a large batch", new String[] {"train", "--model", deep, "--batch", "2000"}, "train needs about", "activations at --batch 2000", "lower --batch");
        add("diagnose, a large batch", new String[] {"diagnose", "--model", ACTIVATIONS
                + " flatten linear(10)", "--input", "16x1024x1024", "--data", "synthetic", "--batch", "120"}, "diagnose needs about", "lower --batch");
        add("eval, a large batch", new String[] {"eval", "--weights", w, "--model", deep, "--batch", "1000"}, "eval needs about", "lower --batch");
        add("check, a large batch", new String[] {"check", "--model", ACTIVATIONS,
            "--input", "1000000", "--batch", "2000"}, "check needs about", "lower --batch");
        return cases;
    }

    private void add(String name, String[] args, String... fragments) {
        cases.add(Case.of(name, 2, args, fragments));
    }
}
