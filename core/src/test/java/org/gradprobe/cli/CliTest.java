package org.gradprobe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.gradprobe.Golden;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.train.Checkpoint;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes, one-line errors and no partial output, through the real command line. */
class CliTest {
    @TempDir
    Path dir;

    record Result(int code, String err) {}

    static Result run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        return new Result(code, err.toString());
    }

    static void assertOneLineError(Result r, int code, String... fragments) {
        assertEquals(code, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("gradprobe: "), r.err());
        for (String f : fragments) assertTrue(first.contains(f), "'" + f + "' in: " + r.err());
        assertFalse(r.err().contains("\tat org."), "no stack trace: " + r.err());
    }

    String[] grads(String weights, String batch, String... extra) {
        String[] base = {"grads", "--model", "seed-cnn", "--input", "1x28x28", "--weights", weights, "--batch", batch,
            "--out", dir.resolve("g.safetensors").toString()};
        return cat(base, extra);
    }

    private boolean outputWritten() throws Exception {
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().contains("g.safetensors"));
        }
    }

    @Test
    void gradsWritesEveryEntryAndMatchesTheGoldenFile() throws Exception {
        Result r = run(grads(Golden.path("seed_cnn_f64.weights.safetensors").toString(), Golden.path("seed_cnn_f64.batch.safetensors").toString()));
        assertEquals(0, r.code(), r.err());
        SafeTensors.Contents got = SafeTensors.read(dir.resolve("g.safetensors"));
        SafeTensors.Contents want = Golden.load("seed_cnn_f64.grads.safetensors");
        assertEquals(want.entries().keySet(), got.entries().keySet());
        Golden.assertClose("loss", got.require("loss").toTensor("g"), want.require("loss").toTensor("w"), 1e-10);
    }

    @Test
    void everyHelpPageRendersCleanly() {
        // picocli prints "[picocli WARN] Could not format ..." to stderr when a description has a stray %
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            picocli.CommandLine root = new picocli.CommandLine(new Main());
            assertFalse(root.getUsageMessage().isBlank());
            for (picocli.CommandLine sub : root.getSubcommands().values()) {
                assertTrue(sub.getUsageMessage().contains("Usage: gradprobe " + sub.getCommandName()), sub.getCommandName());
                for (picocli.CommandLine subsub : sub.getSubcommands().values()) assertFalse(subsub.getUsageMessage().isBlank());
            }
        } finally {
            System.setErr(saved);
        }
        assertEquals("", captured.toString(), "warnings while rendering help pages");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertOneLineError(run("train", "--frobnicate"), 2, "--frobnicate");
        assertOneLineError(run("train", "--model", "conv2d(32,3 relu", "--limit", "8"), 2, "missing ')'");
        assertOneLineError(run("train", "--dtype", "float16"), 2, "float16");
        assertOneLineError(run("train", "--batch", "0"), 2, "--batch", "0");
        assertOneLineError(run("train", "--lr", "-0.1"), 2, "--lr", "-0.1");
        assertOneLineError(run("train", "--input", "1xfoo"), 2, "1xfoo");
        assertOneLineError(run("train", "--init", "kaiming"), 2, "kaiming");
        assertOneLineError(run("grads", "--model", "seed-cnn"), 2, "Missing required options");
        assertOneLineError(run("nosuchcommand"), 2, "nosuchcommand");
        assertOneLineError(run("check"), 2, "--ops or --model");
        assertOneLineError(run("check", "--ops", "--mode", "sideways"), 2, "sideways");
        assertOneLineError(run("diagnose", "--optimizer", "lbfgs"), 2, "lbfgs", "sgd, adam, adamw or rmsprop");
        assertOneLineError(run("train", "--optimizer", "rmsprop", "--alpha", "1.5"), 2, "--alpha", "1.5");
        assertOneLineError(run("diagnose", "--nesterov", "--momentum", "0"), 2, "--nesterov");
        assertOneLineError(run("zoo", "run", "no-such-pathology"), 2, "no-such-pathology");
        assertOneLineError(run("train", "--on-nonfinite", "ignore"), 2, "ignore");
        assertOneLineError(run("train", "--model", "seed-cnn-cifar"), 2, "3x32x32", "1x28x28");
    }

    @Test
    void dataErrorsExitWithOneAndLeaveNoOutput() throws Exception {
        String batch = Golden.path("seed_cnn_f64.batch.safetensors").toString();
        assertOneLineError(run(grads(dir.resolve("missing.safetensors").toString(), batch)), 1, "missing.safetensors", "no such file");
        assertFalse(outputWritten());

        Path truncated = dir.resolve("trunc.safetensors");
        byte[] w = Files.readAllBytes(Golden.path("seed_cnn_f64.weights.safetensors"));
        Files.write(truncated, Arrays.copyOf(w, w.length / 2));
        assertOneLineError(run(grads(truncated.toString(), batch)), 1, "trunc.safetensors");
        assertFalse(outputWritten());

        Path corrupt = dir.resolve("corrupt.safetensors");
        byte[] c = w.clone();
        c[10] = '#';
        Files.write(corrupt, c);
        assertOneLineError(run(grads(corrupt.toString(), batch)), 1, "corrupt.safetensors");

        Path other = dir.resolve("other.safetensors");
        Checkpoint.save(ModelSpec.build("conv2d(8,3) flatten linear(10)", new int[] {1, 28, 28}, DType.FLOAT64, Init.pytorchDefault(), 0),
                other, "test");
        assertOneLineError(run(grads(other.toString(), batch)), 1, "weights do not fit the model");

        assertOneLineError(run(grads(Golden.path("seed_cnn_f64.weights.safetensors").toString(),
                Golden.path("resmlp_f64.batch.safetensors").toString())), 1, "input has shape");
        assertFalse(outputWritten());

        assertOneLineError(run("train", "--data", dir.resolve("nodata").toString()), 1, "nodata", "no such directory");
        Files.createDirectories(dir.resolve("empty"));
        assertOneLineError(run("train", "--data", dir.resolve("empty").toString()), 1, "train-images-idx3-ubyte");
    }

    /** What a command printed on standard output (the commands print there directly). */
    static String stdout(String... args) {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, run(args).code(), String.join(" ", args));
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void eachOptimizerTakesPyTorchsDefaultsUnlessTold() {
        String[] run = {"diagnose", "--model", "mlp(2,8,relu)", "--steps", "3", "--data", "synthetic", "--optimizer"};
        assertTrue(stdout(cat(run, "sgd")).contains("sgd(lr=0.01, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=false)"));
        assertTrue(stdout(cat(run, "adam")).contains("adam(lr=0.01, betas=(0.9, 0.999), eps=1.0E-8, weight_decay=0.0)"));
        assertTrue(stdout(cat(run, "adamw")).contains("adamw(lr=0.01, betas=(0.9, 0.999), eps=1.0E-8, weight_decay=0.01)"));
        assertTrue(stdout(cat(run, "rmsprop")).contains("rmsprop(lr=0.01, alpha=0.99, eps=1.0E-8, weight_decay=0.0, momentum=0.0, centered=false)"));
        assertTrue(stdout(cat(run, "rmsprop", "--momentum", "0.5", "--centered", "--alpha", "0.9", "--weight-decay", "0.1"))
                .contains("rmsprop(lr=0.01, alpha=0.9, eps=1.0E-8, weight_decay=0.1, momentum=0.5, centered=true)"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void diagnoseClipsWhenToldAndSaysHowOften() {
        String[] run = {"diagnose", "--model", "mlp(3,32,relu)", "--lr", "0.3", "--steps", "20", "--data", "synthetic", "--input", "1x8x8", "--json"};
        Map<String, Object> plain = (Map<String, Object>) org.gradprobe.io.Json.parse(stdout(run));
        assertFalse(plain.containsKey("clipping"), "no clipping asked for");
        Map<String, Object> d = (Map<String, Object>) org.gradprobe.io.Json.parse(stdout(cat(run, "--clip-norm", "0.5")));
        Map<String, Object> c = (Map<String, Object>) d.get("clipping");
        assertEquals(0.5, ((Number) c.get("clip_norm")).doubleValue());
        long clipped = ((Number) c.get("clipped_steps")).longValue(), steps = ((Number) c.get("steps")).longValue();
        assertTrue(clipped > 0 && clipped <= steps && steps == 20, c.toString());
        assertTrue(((Number) c.get("largest_clipped_norm")).doubleValue() > 0.5, c.toString());
        assertOneLineError(run("diagnose", "--clip-norm", "0"), 2, "--clip-norm", "0");
    }

    @Test
    @SuppressWarnings("unchecked")
    void adviceNamesTheFlagOnTheTerminalAndTheConceptInJson() {
        String[] run = {"diagnose", "--model", "mlp(4,64,relu)", "--bias-init", "-3", "--steps", "40", "--data", "synthetic", "--input", "1x8x8"};
        String table = stdout(run);
        assertTrue(table.contains("initialize biases at 0 (--bias-init 0)"), table);
        Map<String, Object> d = (Map<String, Object>) org.gradprobe.io.Json.parse(stdout(cat(run, "--json")));
        String json = org.gradprobe.io.Json.write(d);
        assertTrue(json.contains("initialize biases at 0") && !json.contains("--bias-init"), json);
        for (Object l : (List<Object>) d.get("layers")) assertTrue(((Map<String, Object>) l).get("advice") instanceof List, "advice is a list");
    }

    @Test
    void demoEndsWithBothNetworksVerdictsAndTheReportsToOpen(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String out = stdout(new String[] {"demo", "--limit", "400", "--test-limit", "50", "--out", dir.toString()});
        assertTrue(out.contains("gradient flow is healthy") || out.contains("what to change"), out);
        assertTrue(out.contains("vanishing"), "the broken network's verdicts fire: " + out);
        assertTrue(out.contains(dir.resolve("seed-cnn").resolve("report.html").toString())
                && out.contains(dir.resolve(DemoCommand.BROKEN).resolve("report.html").toString()), out);
        assertTrue(java.nio.file.Files.exists(dir.resolve(DemoCommand.BROKEN).resolve("report.html")));
    }

    static String[] cat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void checkExitsZeroWhenEverythingPassesAndDiagnoseAlways() {
        assertEquals(0, run("check", "--ops", "--mode", "sampled").code());
        assertEquals(0, run("check", "--model", "flatten linear(8) tanh linear(10)", "--input", "6", "--mode", "fast").code());
        assertEquals(0, run("diagnose", "--model", "mlp(6,16,sigmoid)", "--steps", "20", "--json").code(), "exit 0 whatever the verdict");
        assertEquals(0, run("zoo", "list").code());
        assertEquals(0, run("check", "--model", "conv2d(3,3) relu flatten fc=linear(10)", "--input", "1x6x6", "--layer", "fc", "--mode", "full").code());
        assertOneLineError(run("check", "--model", "seed-cnn", "--layer", "conv9"), 2, "conv9", "conv1");
    }

    @Test
    void debugShowsTheStackTrace() {
        Result r = run("grads", "--model", "seed-cnn", "--input", "1x28x28", "--weights", dir.resolve("x").toString(), "--batch",
                dir.resolve("y").toString(), "--out", dir.resolve("z").toString(), "--debug");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat org."), r.err());
    }

    @Test
    void trainWritesACheckpointThatEvalReadsBack() throws Exception {
        Path run = dir.resolve("run");
        Result r = run("train", "--model", "flatten linear(10)", "--limit", "200", "--epochs", "2", "--batch", "20", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(run.resolve("model.safetensors")));
        var lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertTrue(lines.get(0).contains("\"type\":\"provenance\"") && lines.get(0).contains("java.version"), lines.get(0));
        assertTrue(lines.get(0).contains("\"loss\":\"cross-entropy\""), "the loss in the settings: " + lines.get(0));
        assertEquals(2, lines.stream().filter(l -> l.contains("\"type\":\"epoch\"")).count());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"type\":\"train\"") && l.contains("\"images_per_s\"")));
        assertEquals(0, run("eval", "--weights", run.resolve("model.safetensors").toString()).code());
        assertEquals(0, run("models", "resmlp(2,8,gelu)").code());
    }

    @Test
    void gradsWarnsNamingTheTensorWhenWeightsOrInputsHoldNaN() throws Exception {
        org.gradprobe.nn.Model m = ModelSpec.build("flatten linear(10)", new int[] {1, 2, 2}, DType.FLOAT32, Init.pytorchDefault(), 0);
        m.parameters().get("1.bias").set(3, Double.NaN);
        Path w = dir.resolve("nan.safetensors"), b = dir.resolve("inf-batch.safetensors");
        Checkpoint.save(m, w, "test");
        org.gradprobe.tensor.Tensor x = org.gradprobe.tensor.Tensor.zeros(DType.FLOAT64, 1, 1, 2, 2);
        x.set(2, Double.POSITIVE_INFINITY);
        new SafeTensors.Writer().put("input", x).putLongs("target", new int[] {1}, new long[] {0}).write(b);
        Result r = run("grads", "--model", "flatten linear(10)", "--input", "1x2x2", "--weights", w.toString(), "--batch", b.toString(),
                "--out", dir.resolve("g.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("gradprobe: warning: " + w + ": tensor '1.bias' holds 1 NaN and 0 Inf of 10 values"), r.err());
        assertTrue(r.err().contains("gradprobe: warning: " + b + ": tensor 'input' holds 0 NaN and 1 Inf of 4 values"), r.err());
    }
}
