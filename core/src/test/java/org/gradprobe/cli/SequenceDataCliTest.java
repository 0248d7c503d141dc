package org.gradprobe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, eval and diagnose on the sequence data sets and with --loss, through the real command line. */
class SequenceDataCliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    /** Runs the command line; commands print to System.out, so that is what is caught as its output. */
    static Result run(String... args) {
        StringWriter err = new StringWriter();
        java.io.PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            code = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        } finally {
            System.setOut(saved);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void trainOnTheAddingProblemRecordsMseAndNoAccuracyAndEvalReadsItBack() throws Exception {
        Path runDir = dir.resolve("run");
        Result r = run("train", "--data", "adding", "--input", "12x2", "--model", "flatten linear(1)", "--limit", "200", "--batch", "20",
                "--lr", "0.01", "--out", runDir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertTrue(lines.get(0).contains("\"loss\":\"mse\"") && lines.get(0).contains("\"data\":\"adding\"")
                && lines.get(0).contains("\"input\":\"12x2\""), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"type\":\"train\"") && l.contains("\"sequences_per_s\"")), "samples a second");
        String epoch = lines.stream().filter(l -> l.contains("\"type\":\"epoch\"")).findFirst().orElseThrow();
        assertTrue(epoch.contains("\"test_accuracy\":null") && epoch.contains("\"test_loss\":0."), epoch);

        Result e = run("eval", "--weights", runDir.resolve("model.safetensors").toString(), "--data", "adding");
        assertEquals(0, e.code(), e.err());
        // the checkpoint's input says T = 12; the test set is the adding problem's, of seed 0
        assertTrue(e.out().contains("adding problem at T = 12") && e.out().contains("loss 0.") && e.out().contains("no accuracy"), e.out());
    }

    @Test
    void aCharacterModelTrainsOnTheTextPerTokenWithTheVocabularyOfItsOutputAndEmbedding() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of(org.gradprobe.data.CharText.DEFAULT_DIR)));
        Path runDir = dir.resolve("lm");
        Result r = run("train", "--data", "text", "--input", "16", "--model", "embedding(64,16) gru(32) linear(64)", "--limit", "64",
                "--batch", "16", "--optimizer", "adam", "--lr", "0.01", "--out", runDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("V = 64, the 63 commonest"), r.out());
        assertTrue(r.out().contains("test accuracy") && r.out().contains("tokens ("), "accuracy per token: " + r.out());
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertTrue(lines.get(0).contains("\"loss\":\"cross-entropy\"") && lines.get(0).contains("\"data\":\"text\""), lines.get(0));
        String epoch = lines.stream().filter(l -> l.contains("\"type\":\"epoch\"")).findFirst().orElseThrow();
        assertTrue(epoch.matches(".*\"test_accuracy\":0\\.\\d+.*"), epoch);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"sequences_per_s\"")), "samples a second are sequences");

        // V is the fewer of the output's scores and the embedding's rows: ids must index both
        Result fewer = run("diagnose", "--data", "text", "--input", "8", "--model", "embedding(40,8) rnn(8) linear(64)", "--steps", "2");
        assertEquals(0, fewer.code(), fewer.err());
        assertTrue(fewer.out().contains("V=40"), fewer.out());
        Result output = run("diagnose", "--data", "text", "--input", "8", "--model", "embedding(100,8) rnn(8) linear(50)", "--steps", "2");
        assertEquals(0, output.code(), output.err());
        assertTrue(output.out().contains("V=50"), output.out());
    }

    @Test
    void imagesTrainAsRowsWithAnInputOfTwoDimensions() throws Exception {
        Path runDir = dir.resolve("rows");
        Result r = run("train", "--model", "flatten linear(10)", "--input", "28x28", "--limit", "100", "--batch", "25", "--out", runDir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertTrue(lines.get(0).contains("\"input\":\"28x28\"") && lines.get(0).contains("\"loss\":\"cross-entropy\""), lines.get(0));
        assertTrue(r.out().contains("test accuracy"), r.out());
    }

    @Test
    void diagnoseTakesTheAddingProblemWithItsLossByDefault() {
        Result r = run("diagnose", "--data", "adding", "--input", "8x2", "--model", "flatten linear(4) tanh linear(1)", "--steps", "5", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"steps\":5"), r.out());
        Result bce = run("diagnose", "--data", "adding", "--input", "8x2", "--model", "flatten linear(1)", "--steps", "3", "--loss", "bce-logits");
        assertEquals(0, bce.code(), bce.err());
        assertTrue(bce.out().contains("bce-logits"), bce.out());
    }
}
