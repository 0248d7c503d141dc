package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Histories stay within their capacity, and merging old steps keeps extremes and NaN counts. */
class NodeHistoryTest {
    @Test
    void boundedMemoryKeepsExtremesAndCounts() {
        NodeHistory h = new NodeHistory("fc1", "fc1", "linear", NodeHistory.Kind.ACTIVATION, new int[] {4}, 16);
        long nans = 0;
        for (int step = 1; step <= 1000; step++) {
            double spike = step == 137 ? 1e6 : 1;
            double bad = step == 421 ? Double.NaN : 0.5;
            if (step == 421) nans++;
            Stats g = Stats.of(Tensor.of(DType.FLOAT64, new int[] {4}, new double[] {spike, -1, bad, 0.25}));
            h.add(new StepRecord(step, step, g, g, Double.NaN, Double.NaN, Double.NaN));
            assertTrue(h.records().size() < 16, "capacity respected at step " + step);
        }
        assertEquals(1, h.records().get(0).fromStep(), "the merged records still start at the first step");
        assertEquals(1000, h.latest().toStep(), "the newest record is the last step, at full resolution");
        assertEquals(h.latest().fromStep(), h.latest().toStep());
        double max = 0;
        long seenNans = 0, count = 0;
        for (StepRecord r : h.records()) {
            max = Math.max(max, r.grad().maxAbs());
            seenNans += r.grad().nans();
            count += r.grad().count();
        }
        assertEquals(1e6, max, "the spike at step 137 survives downsampling");
        assertEquals(nans, seenNans, "the NaN at step 421 survives downsampling");
        assertEquals(4000, count, "every value of every step is still counted");
        for (int i = 1; i < h.records().size(); i++) {
            assertEquals(h.records().get(i - 1).toStep() + 1, h.records().get(i).fromStep(), "records tile the steps without gaps");
        }
    }
}
