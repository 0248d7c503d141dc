package org.gradprobe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.io.Json;
import org.gradprobe.io.JsonLines;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.Advice;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.probe.LayerVerdict;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.probe.Zoo;
import org.gradprobe.tensor.DType;
import org.gradprobe.train.Provenance;
import org.gradprobe.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run log, the HTML built from it and the TensorBoard file, from one short probed run. */
class ReportTest {
    @TempDir
    static Path dir;
    static Path log;
    static Probe probe;

    @BeforeAll
    static void run() {
        Model model = ModelSpec.build("conv2d(4,3) relu maxpool2d(2) flatten linear(16) tanh linear(10)", new int[] {1, 28, 28},
                DType.FLOAT32, Init.pytorchDefault(), 0);
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9), Trainer.Settings.defaults().withBatchSize(16).withLimit(320).withEvalBatch(250));
        probe = Probe.attach(trainer, ProbeConfig.defaults().withEvery(2));
        log = dir.resolve("metrics.jsonl");
        try (JsonLines out = new JsonLines(log)) {
            out.write(Provenance.of("test", "train", model.spec(), Map.of("probe", ProbeLog.describe(probe)), 0));
            ProbeLog pl = new ProbeLog(out, probe);
            trainer.addListener(pl);
            trainer.fit(FashionMnist.bundled().train(), null);
            pl.verdicts(Diagnosis.of(probe), 0);
        }
    }

    @Test
    void jsonLinesHaveProvenanceFirstThenARecordPerRecordedStepAndNode() throws Exception {
        List<String> lines = Files.readAllLines(log);
        Map<?, ?> first = (Map<?, ?>) Json.parse(lines.get(0));
        assertEquals("provenance", first.get("type"));
        for (String k : new String[] {"gradprobe", "model", "settings", "seed", "java.version", "os.name", "os.arch", "time"}) {
            assertTrue(first.containsKey(k), "provenance has " + k);
        }
        int nodeRecords = 0;
        Set<Object> steps = new HashSet<>();
        for (String l : lines) {
            Map<?, ?> m = (Map<?, ?>) Json.parse(l);
            if (!"node".equals(m.get("type"))) continue;
            nodeRecords++;
            steps.add(m.get("step"));
            Map<?, ?> g = (Map<?, ?>) m.get("grad");
            assertEquals(org.gradprobe.probe.Stats.BINS, ((List<?>) g.get("hist")).size());
        }
        assertEquals(10, steps.size(), "20 steps recorded every 2");
        assertEquals(10 * probe.nodes().size(), nodeRecords, "every node at every recorded step");
        RunData r = RunData.read(log);
        assertEquals(probe.nodes().keySet(), r.nodes.keySet());
        assertTrue(r.diagnosis != null && r.diagnosis.containsKey("layers"));
    }

    @Test
    void htmlHasEveryChartAndTheVerdictTable() throws Exception {
        String html = HtmlReport.render(RunData.read(log));
        for (String id : new String[] {"gradient-flow", "grad-norm-time", "update-ratio", "loss", "verdicts"}) {
            assertTrue(html.contains("id=\"" + id + "\""), "has " + id);
        }
        assertEquals(probe.nodes().values().stream().filter(h -> h.kind() == org.gradprobe.probe.NodeHistory.Kind.ACTIVATION).count(),
                count(html, "class=\"heatmap\""), "one heatmap per layer output");
        assertEquals(probe.verdicts().size() + 2, count(html, "<tr>"), "header, one row per layer, the loss");
        assertTrue(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "self-contained, no network");
    }

    @Test
    void eachPieceOfAdviceIsListedOnceWithItsLayersAndTheRowsPointToIt() {
        Diagnosis d = Zoo.run(Zoo.find("dead-relu"), 0);
        RunData run = new RunData();
        run.diagnosis = d.toJson();
        String table = HtmlReport.verdictTable(run);
        Map<String, List<String>> byAdvice = new LinkedHashMap<>();
        for (LayerVerdict v : d.layers()) {
            for (Advice a : v.advice()) byAdvice.computeIfAbsent(a.text(), k -> new ArrayList<>()).add(v.name());
        }
        assertTrue(byAdvice.size() >= 2, "the scenario gives several pieces of advice: " + byAdvice.keySet());
        assertTrue(!table.contains("Nothing to change"), "not said of an unhealthy run");
        RunData healthy = new RunData();
        healthy.diagnosis = Zoo.run(Zoo.find("seed-cnn"), 0).toJson();
        assertTrue(HtmlReport.verdictTable(healthy).contains("Nothing to change") && !HtmlReport.verdictTable(healthy).contains("id=\"advice\""),
                "a healthy run says so instead of an empty list");
        int n = 0;
        for (Map.Entry<String, List<String>> e : byAdvice.entrySet()) {
            n++;
            assertEquals(1, count(table, HtmlReport.esc(e.getKey())), "listed once: " + e.getKey());
            assertTrue(table.contains("<li id=\"advice-" + n + "\"><span class=\"layers\">" + HtmlReport.esc(String.join(", ", e.getValue())) + "</span>"),
                    "item " + n + " names its layers " + e.getValue());
            assertEquals(e.getValue().size(), count(table, "href=\"#advice-" + n + "\""), "every row it applies to points to item " + n);
        }
    }

    @Test
    void exactZerosAreDrawnOnARowOfTheirOwnUnderTheLogAxis() {
        double[] norms = {0, 0, 2e-3, 0.5, Double.NaN};
        double[] range = HtmlReport.logRange(norms);
        assertEquals(3, range.length, "a zero row");
        double zeroY = HtmlReport.yOf(0, range), lowestTick = HtmlReport.yPos(range[0], range);
        assertTrue(zeroY > lowestTick, "below the axis: " + zeroY + " vs " + lowestTick);
        assertEquals(4, count(HtmlReport.polyline(norms, range, "#000", true, norms.length), "<circle"), "every value but NaN has its mark");
        assertTrue(HtmlReport.logAxis(range, "g").contains(">0</text>"), "the row is labelled 0");
        double[] plain = HtmlReport.logRange(new double[] {2e-3, 0.5});
        assertEquals(2, plain.length, "no zero row without zeros");
        assertTrue(!HtmlReport.logAxis(plain, "g").contains(">0</text>"));
    }

    @Test
    void longRunsAreDrawnFromBucketsThatKeepSpikes() {
        RunData r = RunData.read(log);
        RunData.Series s = r.nodes.values().iterator().next();
        double max = s.gradNorm.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN);
        RunData d = r.downsampled(3);
        RunData.Series t = d.nodes.get(s.node);
        assertTrue(t.steps.size() <= 3, "at most 3 points");
        assertEquals(s.steps.get(s.steps.size() - 1), t.steps.get(t.steps.size() - 1), "the last step is kept");
        assertEquals(max, t.gradNorm.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN),
                "the largest gradient norm survives");
        long before = s.gradHist.stream().filter(h -> h != null).mapToLong(h -> java.util.Arrays.stream(h).sum()).sum();
        long after = t.gradHist.stream().filter(h -> h != null).mapToLong(h -> java.util.Arrays.stream(h).sum()).sum();
        assertEquals(before, after, "histogram counts are summed, none lost");
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    @Test
    void tensorBoardFileHasValidFramingAndTheExpectedTags() throws Exception {
        Path f = TensorBoard.write(RunData.read(log), dir.resolve("tb"), 1.7e9);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> events = new ArrayList<>();
        while (buf.remaining() > 0) {
            long len = buf.getLong();
            assertEquals(TensorBoard.maskedCrc(b, buf.position() - 8, 8), buf.getInt(), "length CRC");
            byte[] data = new byte[(int) len];
            int at = buf.position();
            buf.get(data);
            assertEquals(TensorBoard.maskedCrc(b, at, (int) len), buf.getInt(), "data CRC");
            events.add(data);
        }
        assertTrue(new String(events.get(0), StandardCharsets.ISO_8859_1).contains("brain.Event:2"));
        String all = new String(b, StandardCharsets.ISO_8859_1);
        for (String tag : new String[] {"loss", "grad_norm/0.weight", "update_ratio/0.weight", "grad_log2/0", "value_norm/4"}) {
            assertTrue(all.contains(tag), "has tag " + tag);
        }
    }

    /** Renders the report in headless Chromium (installed by .ci/run): the page loads and its charts have drawn lines. */
    @Test
    void chromiumRendersTheReport() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "Debian's chromium is not installed (.ci/run installs it)");
        Path html = dir.resolve("report.html");
        Files.writeString(html, HtmlReport.render(RunData.read(log)));
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + dir.resolve("chrome-profile"), "--dump-dom", html.toUri().toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        for (String id : new String[] {"gradient-flow", "grad-norm-time", "update-ratio", "loss"}) {
            Matcher m = Pattern.compile("<svg id=\"" + id + "\".*?</svg>", Pattern.DOTALL).matcher(dom);
            assertTrue(m.find(), "the rendered DOM has chart " + id);
            assertTrue(m.group().matches("(?s).*<polyline[^>]*points=\"[0-9.]+,[0-9.]+ [0-9.]+,.*"), "chart " + id + " has a drawn line");
        }
        assertTrue(dom.contains("id=\"verdicts\""), "verdict table rendered");
    }

    @Test
    void everyLayerVerdictHasABadgeColour() {
        String html = HtmlReport.render(new RunData());
        for (org.gradprobe.probe.Verdict v : org.gradprobe.probe.Verdict.values()) {
            if (v == org.gradprobe.probe.Verdict.DIVERGING) continue;    // the loss's: drawn as exploding
            org.junit.jupiter.api.Assertions.assertTrue(html.contains(".b-" + v.jsonName() + "{"), "no colour for " + v.jsonName());
        }
    }

    @Test
    void recurrentLayersGetTheirGradientThroughTimeChartAndScalars() throws Exception {
        RunData run = new RunData();
        run.add(asMap("{\"type\":\"provenance\",\"settings\":{\"probe\":{\"time_vanish_ratio\":0.001}}}"));
        for (int step = 1; step <= 3; step++) {
            run.add(asMap("{\"type\":\"node\",\"step\":" + step + ",\"node\":\"0\",\"layer\":\"0\",\"layer_kind\":\"lstm\",\"kind\":\"activation\","
                    + "\"value\":{\"norm\":1},\"grad\":{\"norm\":0.1},\"through_time\":{\"norm\":[[1e-9,1e-5,0.1]],\"rms\":[[1e-10,1e-6,0.01]]}}"));
        }
        run.add(asMap("{\"type\":\"node\",\"step\":3,\"node\":\"1\",\"layer\":\"1\",\"layer_kind\":\"linear\",\"kind\":\"activation\","
                + "\"value\":{\"norm\":1},\"grad\":{\"norm\":0.1}}"));
        String html = HtmlReport.render(run);
        assertTrue(html.contains("<svg id=\"through-time-0\""), "a chart for the lstm layer");
        assertTrue(html.split("<svg id=\"through-time-").length == 2, "and for no other layer");
        assertTrue(html.contains(">step 1<") && html.contains(">step 3<"), "one line per recorded step");
        assertTrue(html.contains("time step t"));
        Path dir = Files.createTempDirectory("tb");
        byte[] events = Files.readAllBytes(TensorBoard.write(run, dir, 1e9));
        assertTrue(new String(events, StandardCharsets.ISO_8859_1).contains("through_time_first_to_last/0"), "the ratio as a TensorBoard scalar");
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> asMap(String json) {
        return (java.util.Map<String, Object>) org.gradprobe.io.Json.parse(json);
    }
}
