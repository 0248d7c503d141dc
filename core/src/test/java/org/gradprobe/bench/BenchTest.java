package org.gradprobe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.gradprobe.cli.Main;
import org.gradprobe.io.Json;
import org.junit.jupiter.api.Test;

/** `gradprobe bench --json` through the real command line: what it reports, not how fast (timings are never asserted). */
class BenchTest {
    @Test
    @SuppressWarnings("unchecked")
    void benchJsonReportsTrainingAndTheStatisticsPass() {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(new String[] {"bench", "--batch", "4", "--images", "8", "--rounds", "1", "--modes", "off,default,every", "--threads", "2",
                "--no-check", "--no-gemm", "--json"}, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code);
        Map<String, Object> all = (Map<String, Object>) Json.parse(captured.toString(StandardCharsets.UTF_8).trim());
        List<Object> training = (List<Object>) all.get("training");
        Map<String, Object> b4 = (Map<String, Object>) training.get(0);
        assertEquals(4.0, ((Number) b4.get("batch")).doubleValue());
        assertEquals(50.0, ((Number) b4.get("steps_per_turn")).doubleValue(), "a turn is one whole default interval");
        assertTrue(((Number) ((Map<String, Object>) b4.get("images_per_s")).get("probe off")).doubleValue() > 0);
        assertTrue(((Number) ((Map<String, Object>) b4.get("images_per_s")).get("default interval")).doubleValue() > 0);
        // the default interval's step-by-step cost: recording, and the checks on every step, each finite
        // (their values are timings, never asserted), combined as the whole interval's
        double rec = ((Number) b4.get("recorded_step_cost_default")).doubleValue(), checks = ((Number) b4.get("check_cost_default")).doubleValue();
        assertTrue(Double.isFinite(rec) && Double.isFinite(checks), rec + " " + checks);
        assertEquals((1 + rec) * (1 + checks) - 1, ((Number) b4.get("interval_cost_default")).doubleValue(), 1e-12);
        // recording every step: the time in the probe's hooks by phase, each phase reached (a phase left
        // untimed would read 0: each runs statistics passes at every step here)
        Map<String, Object> hooks = (Map<String, Object>) b4.get("every_step_hooks_seconds");
        assertEquals(List.of("forward", "backward", "after_backward", "after_update"), List.copyOf(hooks.keySet()));
        for (Map.Entry<String, Object> h : hooks.entrySet()) {
            double sec = ((Number) h.getValue()).doubleValue();
            assertTrue(sec > 0 && sec < 1, h.getKey() + " " + sec);
        }
        List<Object> stats = (List<Object>) all.get("stats");
        assertEquals(2, stats.size(), "on all threads, then on one");
        for (int i = 0; i < 2; i++) {
            Map<String, Object> s = (Map<String, Object>) stats.get(i);
            assertEquals(i == 0 ? 2.0 : 1.0, ((Number) s.get("threads")).doubleValue());
            assertEquals((double) StatsBench.SEED_CONV1_B64, ((Number) s.get("values")).doubleValue());
            for (String k : new String[] {"plain_ns_per_value", "with_relu_ns_per_value", "histogram_counts_ns_per_value"}) {
                double ns = ((Number) s.get(k)).doubleValue();
                assertTrue(ns > 0 && Double.isFinite(ns), k + " " + ns);
            }
        }
    }

    @Test
    void theHistogramFloorCountsEveryValueOnce() {
        for (int n : new int[] {0, 7, 8, 9, (1 << 15) + 3, 5 * (1 << 15)}) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) Math.scalb(i % 2 == 0 ? 1.5 : -1.25, i % 60 - 30);
            assertEquals(n, StatsBench.countSlots(a, false), "serial, n=" + n);
            assertEquals(n, StatsBench.countSlots(a, true), "parallel, n=" + n);
        }
    }
}
