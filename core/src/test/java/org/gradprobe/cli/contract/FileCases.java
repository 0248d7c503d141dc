package org.gradprobe.cli.contract;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gradprobe.cli.contract.Contract.Case;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Checkpoint;

/**
 * Bad files for every command that reads one: train and diagnose --data (IDX and CIFAR-10), eval
 * --weights, grads --weights and --batch, report RUN_DIR. Truncated, empty, wrong magic, oversized
 * (sparse files, so they cost no disk), directories, symbolic link loops and dangling links, unreadable
 * (when not run as root), wrong dtypes and shapes. Every error line must name the file (and the line,
 * for metrics.jsonl) and what was wrong.
 */
final class FileCases implements Contract.Source {
    static final String SPEC = "flatten linear(10)";
    static final int IMAGES = 0x803, LABELS = 0x801;

    private Path root;
    private final List<Case> cases = new ArrayList<>();

    @Override
    public List<Case> cases(Path fixtures) throws IOException {
        root = fixtures;
        dataCases();
        cifarCases();
        Path goodData = idxSet("good", 2, 2, 2, 2, 2, 2);
        Path goodWeights = root.resolve("good.safetensors");
        Checkpoint.save(ModelSpec.build(SPEC, new int[] {1, 2, 2}, DType.FLOAT32, Init.pytorchDefault(), 0), goodWeights, "test");
        Path goodBatch = root.resolve("good-batch.safetensors");
        new SafeTensors.Writer().put("input", Tensor.zeros(DType.FLOAT64, 2, 1, 2, 2)).putLongs("target", new int[] {2}, new long[] {1, 3})
                .write(goodBatch);
        weightsCases(goodData, goodBatch);
        batchCases(goodWeights);
        reportCases();
        outputCases(goodWeights, goodData, goodBatch);
        return cases;
    }

    // ---- train and diagnose --data: IDX ----

    private void dataCases() throws IOException {
        Path d;
        d = idxSet("truncated", 2, 2, 2, 1, 2, 2);
        truncate(d.resolve("train-images-idx3-ubyte"), 3);
        bothTrainers("truncated IDX", d, d.resolve("train-images-idx3-ubyte"), "truncated, header announces 2 × 2 × 2 = 8 data bytes");
        d = idxSet("empty-file", 2, 2, 2, 1, 2, 2);
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), new byte[0]);
        bothTrainers("empty IDX file", d, d.resolve("t10k-labels-idx1-ubyte"), "truncated, 0 bytes");
        d = idxSet("magic", 2, 2, 2, 1, 2, 2);
        Files.write(d.resolve("train-images-idx3-ubyte"), idx(LABELS, new int[] {2}, 2));
        bothTrainers("wrong magic", d, d.resolve("train-images-idx3-ubyte"), "bad magic 0x00000801, expected 0x00000803");
        d = idxSet("oversized", 2, 2, 2, 1, 2, 2);
        sparseIdx(d.resolve("train-images-idx3-ubyte"), 3_000_000, 28, 28);
        bothTrainers("oversized IDX (sparse, 2.2 GB)", d, d.resolve("train-images-idx3-ubyte"), "2352000000 data bytes, more than gradprobe holds");
        d = idxSet("directory", 2, 2, 2, 1, 2, 2);
        Files.delete(d.resolve("train-labels-idx1-ubyte"));
        Files.createDirectory(d.resolve("train-labels-idx1-ubyte"));
        bothTrainers("labels file is a directory", d, d.resolve("train-labels-idx1-ubyte"), "is a directory");
        d = idxSet("loop", 2, 2, 2, 1, 2, 2);
        loop(d.resolve("t10k-images-idx3-ubyte"));
        bothTrainers("images file is a link loop", d, d.resolve("t10k-images-idx3-ubyte"), "symbolic link loop");
        d = idxSet("dangling", 2, 2, 2, 1, 2, 2);
        Files.delete(d.resolve("t10k-images-idx3-ubyte"));
        Files.createSymbolicLink(d.resolve("t10k-images-idx3-ubyte"), d.resolve("gone"));
        bothTrainers("images file is a dangling link", d, d.resolve("t10k-images-idx3-ubyte"), "symbolic link to a missing file");
        d = idxSet("zero-images", 0, 28, 28, 1, 28, 28);
        bothTrainers("no training images", d, d.resolve("train-images-idx3-ubyte"), "no images");
        d = idxSet("zero-test", 2, 2, 2, 0, 2, 2);
        bothTrainers("no test images", d, d.resolve("t10k-images-idx3-ubyte"), "no images");
        d = idxSet("shapes", 2, 28, 28, 1, 32, 32);
        bothTrainers("test images of another size", d, d.resolve("t10k-images-idx3-ubyte"), "test images are 1x32x32, expected 1x28x28");
        d = idxSet("counts", 3, 2, 2, 1, 2, 2);
        Files.write(d.resolve("train-labels-idx1-ubyte"), idx(LABELS, new int[] {2}, 2));
        bothTrainers("fewer labels than images", d, d.resolve("train-images-idx3-ubyte"), "3 images", "2 labels");
        d = idxSet("label", 2, 2, 2, 1, 2, 2);
        Files.write(d.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 12});
        bothTrainers("label out of range", d, d.resolve("train-labels-idx1-ubyte"), "label 12 at index 1 is outside 0..9");
        d = idxSet("gzip", 2, 2, 2, 1, 2, 2);
        Files.delete(d.resolve("train-images-idx3-ubyte"));
        Files.write(d.resolve("train-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});
        bothTrainers("corrupt gzip", d, d.resolve("train-images-idx3-ubyte.gz"), "corrupt gzip data");
        d = idxSet("too-long", 2, 2, 2, 1, 2, 2);
        Files.write(d.resolve("t10k-images-idx3-ubyte"), idx(IMAGES, new int[] {1, 2, 2}, 9));
        bothTrainers("IDX longer than its header says", d, d.resolve("t10k-images-idx3-ubyte"), "too long");
        d = idxSet("negative", 2, 2, 2, 1, 2, 2);
        Files.write(d.resolve("train-images-idx3-ubyte"), idx(IMAGES, new int[] {-5, 2, 2}, 0));
        bothTrainers("negative size in the header", d, d.resolve("train-images-idx3-ubyte"), "negative size -5");
        d = idxSet("short-header", 2, 2, 2, 1, 2, 2);
        Files.write(d.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0});
        bothTrainers("header cut short", d, d.resolve("train-images-idx3-ubyte"), "truncated IDX header");
        d = idxSet("zero-pixels", 2, 0, 28, 1, 0, 28);
        bothTrainers("images of 0 pixels", d, d.resolve("train-images-idx3-ubyte"), "images of 0x28 pixels");
        Path file = Files.write(root.resolve("not-a-folder"), new byte[] {1});
        bothTrainers("--data is a file", file, file, "is a file, expected a folder");
        bothTrainers("--data does not exist", root.resolve("nowhere"), root.resolve("nowhere"), "no such directory");
        Path loopDir = loop(root.resolve("loop-dir"));
        bothTrainers("--data is a link loop", loopDir, loopDir, "symbolic link loop");
        if (canMakeUnreadable()) {
            d = idxSet("unreadable", 2, 2, 2, 1, 2, 2);
            unreadable(d.resolve("train-images-idx3-ubyte"));
            bothTrainers("unreadable IDX", d, d.resolve("train-images-idx3-ubyte"), "permission denied");
        }
    }

    // ---- train and diagnose --data: CIFAR-10 ----

    private void cifarCases() throws IOException {
        int record = 1 + 3 * 32 * 32;
        Path d = cifar("cifar-size", record);
        Files.write(d.resolve("data_batch_3.bin"), new byte[record + 7]);
        bothTrainers("CIFAR-10 file of a partial record", d, d.resolve("data_batch_3.bin"), "not a positive multiple of the 3073-byte");
        d = cifar("cifar-label", record);
        byte[] bad = new byte[record];
        bad[0] = 11;
        Files.write(d.resolve("test_batch.bin"), bad);
        bothTrainers("CIFAR-10 label out of range", d, d.resolve("test_batch.bin"), "label 11 in record 0 is outside 0..9");
        d = cifar("cifar-missing", record);
        Files.delete(d.resolve("data_batch_2.bin"));
        bothTrainers("CIFAR-10 file missing", d, d.resolve("data_batch_2.bin"), "no such file");
        d = cifar("cifar-oversized", record);
        try (RandomAccessFile r = new RandomAccessFile(d.resolve("data_batch_4.bin").toFile(), "rw")) {
            r.setLength((long) record * 800_000);
        }
        bothTrainers("CIFAR-10 oversized (sparse)", d, d.resolve("data_batch_4.bin"), "more than gradprobe holds in one array");
    }

    private Path cifar(String name, int record) throws IOException {
        Path d = Files.createDirectories(root.resolve(name));
        for (String f : new String[] {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
            "test_batch.bin"}) {
            Files.write(d.resolve(f), new byte[record]);
        }
        return d;
    }

    private void bothTrainers(String name, Path data, Path named, String... what) {
        String[] fragments = cat(new String[] {named.toString()}, what);
        cases.add(Case.of("train: " + name, 1, new String[] {"train", "--data", data.toString(), "--out", root.resolve("run").toString()},
                fragments));
        cases.add(Case.of("diagnose: " + name, 1, new String[] {"diagnose", "--data", data.toString(), "--steps", "1"}, fragments));
    }

    // ---- eval and grads --weights ----

    private void weightsCases(Path goodData, Path goodBatch) throws IOException {
        String weight = "\"1.weight\":{\"dtype\":\"%s\",\"shape\":[10,4],\"data_offsets\":[0,%d]},"
                + "\"1.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[%d,%d]}";
        String meta = "\"__metadata__\":{\"spec\":\"" + SPEC + "\",\"input\":\"1x2x2\"}";
        for (String[] dt : new String[][] {{"BF16", "2"}, {"F16", "2"}, {"I32", "4"}, {"I64", "8"}}) {
            int w = 40 * Integer.parseInt(dt[1]);
            Path f = st("weights-" + dt[0], "{" + meta + "," + String.format(weight, dt[0], w, w, w + 40) + "}", w + 40);
            bothWeights("weight of dtype " + dt[0], f, goodData, goodBatch, "tensor '1.weight' has dtype " + dt[0] + ", gradprobe reads weights in F32 or F64");
        }
        Path f = st("weights-shape", "{" + meta + ",\"1.weight\":{\"dtype\":\"F32\",\"shape\":[4,10],\"data_offsets\":[0,160]},"
                + "\"1.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[160,200]}}", 200);
        bothWeights("weight of the wrong shape", f, goodData, goodBatch, "weight 1.weight has shape [4, 10]", "needs [10, 4]");
        f = st("weights-missing", "{" + meta + ",\"1.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,40]}}", 40);
        bothWeights("weight missing", f, goodData, goodBatch, "missing [1.weight]");
        f = st("weights-meta-number", "{\"__metadata__\":{\"spec\":3}}", 0);
        bothWeights("metadata value not a string", f, goodData, goodBatch, "metadata 'spec' is 3, expected a string");
        f = st("weights-corrupt", "{\"1.weight\":{\"dtype\":", 0);
        bothWeights("corrupt header", f, goodData, goodBatch, "corrupt header");
        f = st("weights-q7", "{\"1.weight\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        bothWeights("unknown dtype", f, goodData, goodBatch, "tensor '1.weight' has unknown dtype Q7");
        f = st("weights-utf8", "{\"a\":\"?\"}", 0);
        patch(f, 8 + 6, (byte) 0xfe);
        bothWeights("header not UTF-8", f, goodData, goodBatch, "header is not valid UTF-8");
        f = root.resolve("weights-truncated.safetensors");
        Files.copy(root.resolve("good.safetensors"), f);
        truncate(f, 6);
        bothWeights("truncated", f, goodData, goodBatch, "fall outside the", "truncated?");
        f = Files.write(root.resolve("weights-empty.safetensors"), new byte[0]);
        bothWeights("empty", f, goodData, goodBatch, "truncated, 0 bytes");
        f = Files.write(root.resolve("weights-text.safetensors"), "PK\u0003\u0004 a zip, as torch.save writes".getBytes(StandardCharsets.ISO_8859_1));
        bothWeights("wrong magic (a torch.save zip)", f, goodData, goodBatch, "header length", "not safetensors");
        f = root.resolve("weights-huge-header.safetensors");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(3L << 30).array());
            r.setLength((3L << 30) + 8);
        }
        bothWeights("oversized header (sparse, 3 GiB)", f, goodData, goodBatch, "header of 3221225472 bytes is over the format's limit");
        f = root.resolve("weights-trailing.safetensors");
        Files.copy(root.resolve("good.safetensors"), f);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(r.length() + (3L << 30));
        }
        bothWeights("oversized: 3 GiB after the tensors (sparse)", f, goodData, goodBatch, "3221225472 trailing bytes");
        f = Files.createDirectory(root.resolve("weights-dir.safetensors"));
        bothWeights("a directory", f, goodData, goodBatch, "is a directory");
        f = loop(root.resolve("weights-loop.safetensors"));
        bothWeights("a link loop", f, goodData, goodBatch, "symbolic link loop");
        f = Files.createSymbolicLink(root.resolve("weights-dangling.safetensors"), root.resolve("gone.safetensors"));
        bothWeights("a dangling link", f, goodData, goodBatch, "symbolic link to a missing file");
        f = root.resolve("weights-none.safetensors");
        bothWeights("no such file", f, goodData, goodBatch, "no such file");
        if (canMakeUnreadable()) {
            f = root.resolve("weights-unreadable.safetensors");
            Files.copy(root.resolve("good.safetensors"), f);
            unreadable(f);
            bothWeights("unreadable", f, goodData, goodBatch, "permission denied");
        }
        // eval rebuilds the model from the metadata
        f = st("weights-bad-spec", "{\"__metadata__\":{\"spec\":\"flatten linear(x)\",\"input\":\"1x2x2\"}}", 0);
        cases.add(Case.of("eval: metadata spec that cannot be built", 1, evalArgs(f, goodData), f.toString(), "metadata records",
                "flatten linear(x)"));
        f = st("weights-bad-input", "{\"__metadata__\":{\"spec\":\"" + SPEC + "\",\"input\":\"two by two\"}}", 0);
        cases.add(Case.of("eval: metadata input not a shape", 1, evalArgs(f, goodData), f.toString(), "metadata 'input' is 'two by two'"));
        f = st("weights-bad-count", "{" + meta + ",\"1.weight\":{\"dtype\":\"F32\",\"shape\":[10,4],\"data_offsets\":[0,160]},"
                + "\"1.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[160,200]}}", 200);
        cases.add(Case.of("eval: weights of a model other than --model's", 1,
                cat(evalArgs(f, goodData), new String[] {"--model", "flatten linear(5)"}), f.toString(), "has shape [10, 4]", "needs [5, 4]"));
    }

    /** Outputs that would destroy an input, or replace what is not a file. */
    private void outputCases(Path goodWeights, Path goodData, Path goodBatch) throws IOException {
        Path w = Files.copy(goodWeights, root.resolve("same-weights.safetensors"));
        cases.add(Case.of("grads --out the --weights file", 2, gradsArgs(w, goodBatch, w), "--out", "--weights"));
        Path b = Files.copy(goodBatch, root.resolve("same-batch.safetensors"));
        cases.add(Case.of("grads --out the --batch file", 2, gradsArgs(goodWeights, b, b), "--out", "--batch"));
        Path folder = Files.createDirectories(root.resolve("out-folder.safetensors"));
        cases.add(Case.of("grads --out a folder", 1, gradsArgs(goodWeights, goodBatch, folder),
                folder.toString(), "not a regular file"));
        Path d = runDir("report-onto-log", "");
        Files.writeString(d.resolve("metrics.jsonl"), PROVENANCE);
        cases.add(Case.of("report --out its own metrics.jsonl", 2, new String[] {"report", d.toString(), "--out", d.resolve("metrics.jsonl").toString()},
                "--out", "metrics.jsonl"));
        Files.writeString(d.resolve("report.html"), "<html></html>");
        cases.add(Case.of("report given its report.html", 2, new String[] {"report", d.resolve("report.html").toString()}, "report.html",
                "not a run log"));
        Path nested = st("weights-nested-header", "{\"__metadata__\":{\"x\":" + "[".repeat(100000) + "]".repeat(100000) + "}}", 0);
        cases.add(Case.of("eval: a header nested 100000 deep", 1, evalArgs(nested, goodData), nested.toString(), "nested deeper"));
    }

    private void bothWeights(String name, Path weights, Path goodData, Path goodBatch, String... what) {
        String[] fragments = cat(new String[] {weights.toString()}, what);
        cases.add(Case.of("eval --weights: " + name, 1, evalArgs(weights, goodData), fragments));
        cases.add(Case.of("grads --weights: " + name, 1, gradsArgs(weights, goodBatch), fragments));
    }

    private String[] evalArgs(Path weights, Path data) {
        return new String[] {"eval", "--weights", weights.toString(), "--data", data.toString()};
    }

    private String[] gradsArgs(Path weights, Path batch) {
        return gradsArgs(weights, batch, root.resolve("grads-out.safetensors"));
    }

    private String[] gradsArgs(Path weights, Path batch, Path out) {
        return new String[] {"grads", "--model", SPEC, "--input", "1x2x2", "--weights", weights.toString(), "--batch", batch.toString(),
            "--out", out.toString()};
    }

    // ---- grads --batch ----

    private void batchCases(Path goodWeights) throws IOException {
        String input = "\"input\":{\"dtype\":\"%s\",\"shape\":[%s],\"data_offsets\":[0,%d]}";
        String target = "\"target\":{\"dtype\":\"%s\",\"shape\":[%s],\"data_offsets\":[%d,%d]}";
        batch(goodWeights, "target of dtype F32", "{" + String.format(input, "F64", "2,1,2,2", 64) + "," + String.format(target, "F32", "2", 64, 72) + "}", 72,
                "target has dtype F32, expected I64");
        batch(goodWeights, "one target for two inputs", "{" + String.format(input, "F64", "2,1,2,2", 64) + "," + String.format(target, "I64", "1", 64, 72) + "}", 72,
                "target has shape [1], expected [2]");
        batch(goodWeights, "empty batch", "{" + String.format(input, "F64", "0,1,2,2", 0) + "," + String.format(target, "I64", "0", 0, 0) + "}", 0,
                "empty batch", "expected N >= 1");
        batch(goodWeights, "input of the wrong shape", "{" + String.format(input, "F64", "2,1,3,3", 144) + "," + String.format(target, "I64", "2", 144, 160) + "}",
                160, "input has shape [2, 1, 3, 3]", "the model needs [N, 1, 2, 2]");
        batch(goodWeights, "input of dtype BF16", "{" + String.format(input, "BF16", "2,1,2,2", 16) + "," + String.format(target, "I64", "2", 16, 32) + "}", 32,
                "input has dtype BF16, expected F32 or F64");
        batch(goodWeights, "no target", "{" + String.format(input, "F64", "2,1,2,2", 64) + "}", 64, "no tensor named 'target'");
        Path f = root.resolve("batch-class.safetensors");
        new SafeTensors.Writer().put("input", Tensor.zeros(DType.FLOAT64, 2, 1, 2, 2)).putLongs("target", new int[] {2}, new long[] {1, 10}).write(f);
        cases.add(Case.of("grads --batch: target beyond the classes", 1, gradsArgs(goodWeights, f), f.toString(),
                "target 10 at index 1 is not a class index of the model's 10 outputs"));
        f = root.resolve("batch-negative.safetensors");
        new SafeTensors.Writer().put("input", Tensor.zeros(DType.FLOAT64, 1, 1, 2, 2)).putLongs("target", new int[] {1}, new long[] {-1}).write(f);
        cases.add(Case.of("grads --batch: negative target", 1, gradsArgs(goodWeights, f), f.toString(), "target -1 at index 0"));
        long n = Integer.MAX_VALUE;           // sparse: 51 GB on paper, nothing on disk
        batch(goodWeights, "oversized (sparse)", "{" + String.format(input, "F32", n + ",1,2,2", n * 16) + "," + String.format(target, "I64", "" + n, n * 16, n * 24) + "}",
                n * 24, "tensor 'target'", "more than gradprobe holds in one array");
        f = Files.write(root.resolve("batch-empty.safetensors"), new byte[0]);
        cases.add(Case.of("grads --batch: empty file", 1, gradsArgs(goodWeights, f), f.toString(), "truncated, 0 bytes"));
        f = Files.createDirectory(root.resolve("batch-dir"));
        cases.add(Case.of("grads --batch: a directory", 1, gradsArgs(goodWeights, f), f.toString(), "is a directory"));
        f = loop(root.resolve("batch-loop.safetensors"));
        cases.add(Case.of("grads --batch: a link loop", 1, gradsArgs(goodWeights, f), f.toString(), "symbolic link loop"));
        f = root.resolve("batch-truncated.safetensors");
        Files.copy(root.resolve("good-batch.safetensors"), f);
        truncate(f, 9);
        cases.add(Case.of("grads --batch: truncated", 1, gradsArgs(goodWeights, f), f.toString(), "truncated?"));
    }

    private void batch(Path goodWeights, String name, String header, long dataBytes, String... what) throws IOException {
        Path f = st("batch-" + name.replaceAll("[^a-z0-9]+", "-"), header, dataBytes);
        cases.add(Case.of("grads --batch: " + name, 1, gradsArgs(goodWeights, f), cat(new String[] {f.toString()}, what)));
    }

    // ---- report RUN_DIR ----

    static final String PROVENANCE = "{\"type\":\"provenance\",\"gradprobe\":\"dev\",\"command\":\"train\"}\n";
    static final String NODE = "{\"type\":\"node\",\"step\":1,\"node\":\"0\",\"layer\":\"0\",\"layer_kind\":\"relu\",\"kind\":\"activation\","
            + "\"shape\":[4],\"value\":{\"norm\":1.0},\"grad\":{\"norm\":0.5,\"hist\":[1,2]}}\n";

    private void reportCases() throws IOException {
        report("node name a number", NODE.replace("\"node\":\"0\"", "\"node\":7"), "metrics.jsonl:2:", "\"node\" is 7", "expected a string");
        report("layer a list", NODE.replace("\"layer\":\"0\"", "\"layer\":[0]"), "metrics.jsonl:2:", "\"layer\" is [0]");
        report("step a word", NODE.replace("\"step\":1", "\"step\":\"one\""), "metrics.jsonl:2:", "\"step\" is \"one\"", "expected a number");
        report("grad a number", NODE.replace("\"grad\":{\"norm\":0.5,\"hist\":[1,2]}", "\"grad\":3"), "metrics.jsonl:2:", "\"grad\" is 3");
        report("norm a boolean", NODE.replace("\"norm\":1.0", "\"norm\":true"), "metrics.jsonl:2:", "\"norm\" is true");
        report("histogram with a word", NODE.replace("[1,2]", "[1,\"two\"]"), "metrics.jsonl:2:", "\"hist\" holds \"two\"");
        report("a loss a word", "{\"type\":\"loss\",\"step\":1,\"loss\":\"low\"}\n", "metrics.jsonl:2:", "\"loss\" is \"low\"");
        report("verdicts diagnosis a number", "{\"type\":\"verdicts\",\"epoch\":0,\"step\":1,\"diagnosis\":5}\n", "metrics.jsonl:2:",
                "\"diagnosis\" is 5");
        report("node without a name", NODE.replace("\"node\":\"0\",", ""), "metrics.jsonl:2:", "without its \"node\" name");
        report("verdicts whose layers are a string", "{\"type\":\"verdicts\",\"epoch\":0,\"step\":1,\"diagnosis\":{\"layers\":\"x\"}}\n",
                "metrics.jsonl:2:", "\"layers\" is \"x\"");
        report("verdicts whose layers hold a number", "{\"type\":\"verdicts\",\"epoch\":0,\"step\":1,\"diagnosis\":{\"layers\":[3]}}\n",
                "metrics.jsonl:2:", "layers");
        report("a line nested 100000 deep", "{\"type\":\"foo\",\"x\":" + "[".repeat(100000) + "]".repeat(100000) + "}\n", "metrics.jsonl:2:",
                "nested deeper");
        report("a line that is not JSON", "{\"type\":\"loss\",,}\n", "metrics.jsonl:2:");
        report("a line that is a list", "[1,2,3]\n", "metrics.jsonl:2: not a JSON object");
        Path d = runDir("report-utf8", null);
        byte[] bad = {'{', '"', 't', (byte) 0xc3, '"', ':', '1', '}', '\n'};
        Files.write(d.resolve("metrics.jsonl"), concat(PROVENANCE.getBytes(StandardCharsets.UTF_8), bad, NODE.getBytes(StandardCharsets.UTF_8)));
        cases.add(Case.of("report: a line of invalid UTF-8", 1, new String[] {"report", d.toString()}, d.resolve("metrics.jsonl") + ":2:",
                "not valid UTF-8"));
        d = runDir("report-empty", "");
        cases.add(Case.of("report: empty metrics.jsonl", 1, new String[] {"report", d.toString()}, d.resolve("metrics.jsonl").toString(),
                "no provenance line"));
        d = runDir("report-no-provenance", NODE);
        cases.add(Case.of("report: no provenance", 1, new String[] {"report", d.toString()}, d.resolve("metrics.jsonl").toString(),
                "no provenance line"));
        d = runDir("report-oversized", null);
        try (RandomAccessFile r = new RandomAccessFile(d.resolve("metrics.jsonl").toFile(), "rw")) {
            r.setLength(3L << 30);
        }
        cases.add(Case.of("report: oversized metrics.jsonl (sparse, 3 GiB)", 1, new String[] {"report", d.toString()},
                d.resolve("metrics.jsonl") + ":1:", "line longer than 16.0 MiB"));
        d = runDir("report-dir", null);
        Files.createDirectory(d.resolve("metrics.jsonl"));
        cases.add(Case.of("report: metrics.jsonl a directory", 1, new String[] {"report", d.toString()}, d.resolve("metrics.jsonl").toString(),
                "is a directory"));
        d = runDir("report-loop", null);
        loop(d.resolve("metrics.jsonl"));
        cases.add(Case.of("report: metrics.jsonl a link loop", 1, new String[] {"report", d.toString()}, d.resolve("metrics.jsonl").toString(),
                "symbolic link loop"));
        Path looped = loop(root.resolve("report-run-loop"));
        cases.add(Case.of("report: RUN_DIR a link loop", 1, new String[] {"report", looped.toString()}, looped.toString(), "symbolic link loop"));
        d = runDir("report-missing", null);
        cases.add(Case.of("report: no metrics.jsonl", 1, new String[] {"report", d.toString()}, d.resolve("metrics.jsonl").toString(),
                "no such file"));
        if (canMakeUnreadable()) {
            d = runDir("report-unreadable", PROVENANCE);
            unreadable(d.resolve("metrics.jsonl"));
            cases.add(Case.of("report: unreadable metrics.jsonl", 1, new String[] {"report", d.toString()},
                    d.resolve("metrics.jsonl").toString(), "permission denied"));
        }
    }

    /** A run folder whose metrics.jsonl is the provenance, {@code badLine}, then a good node line (so the bad line is not the last). */
    private void report(String name, String badLine, String... what) throws IOException {
        Path d = runDir("report-" + name.replaceAll("[^a-z0-9]+", "-"), PROVENANCE + badLine + NODE);
        String[] fragments = what.clone();          // what[0] is "metrics.jsonl:LINE:...": the whole path, then the line
        fragments[0] = d.resolve("metrics.jsonl") + what[0].substring("metrics.jsonl".length());
        cases.add(Case.of("report: " + name, 1, new String[] {"report", d.toString()}, fragments));
    }

    private Path runDir(String name, String metrics) throws IOException {
        Path d = Files.createDirectories(root.resolve(name));
        if (metrics != null) Files.writeString(d.resolve("metrics.jsonl"), metrics);
        return d;
    }

    // ---- fixtures ----

    static byte[] idx(int magic, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + Math.max(0, dataBytes));
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        for (int i = 0; i < dataBytes; i++) b.put((byte) (i % 10));
        return b.array();
    }

    /** A folder of the four raw IDX files, with train and test image counts and sizes. */
    private Path idxSet(String name, int trainCount, int rows, int cols, int testCount, int testRows, int testCols) throws IOException {
        Path d = Files.createDirectories(root.resolve(name));
        Files.write(d.resolve("train-images-idx3-ubyte"), idx(IMAGES, new int[] {trainCount, rows, cols}, trainCount * rows * cols));
        Files.write(d.resolve("train-labels-idx1-ubyte"), idx(LABELS, new int[] {trainCount}, trainCount));
        Files.write(d.resolve("t10k-images-idx3-ubyte"), idx(IMAGES, new int[] {testCount, testRows, testCols}, testCount * testRows * testCols));
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), idx(LABELS, new int[] {testCount}, testCount));
        return d;
    }

    private static void sparseIdx(Path f, int count, int rows, int cols) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(0);
            r.writeInt(IMAGES);
            r.writeInt(count);
            r.writeInt(rows);
            r.writeInt(cols);
            r.setLength(16 + (long) count * rows * cols);
        }
    }

    /** A safetensors file of {@code header} and {@code dataBytes} zero bytes (sparse). */
    private Path st(String name, String header, long dataBytes) throws IOException {
        Path f = root.resolve(name + ".safetensors");
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            r.write(h);
            r.setLength(8 + h.length + dataBytes);
        }
        return f;
    }

    private static void patch(Path f, long at, byte b) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.seek(at);
            r.write(b);
        }
    }

    private static void truncate(Path f, long by) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(r.length() - by);
        }
    }

    /** Replaces {@code p} with a symbolic link to itself. */
    private static Path loop(Path p) throws IOException {
        Files.deleteIfExists(p);
        return Files.createSymbolicLink(p, p.getFileName());
    }

    private static void unreadable(Path f) throws IOException {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
    }

    /** Whether a file can be made unreadable here (not as root, who reads everything). */
    private boolean canMakeUnreadable() throws IOException {
        Path probe = root.resolve("probe-permissions");
        Files.write(probe, new byte[1]);
        try {
            unreadable(probe);
            return !Files.isReadable(probe);
        } catch (UnsupportedOperationException e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    private static String[] cat(String[] a, String[] b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] r = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }
}
