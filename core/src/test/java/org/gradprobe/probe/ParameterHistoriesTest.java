package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detectors on a training seen only through its parameters (as gradprobe-djl sees DJL's): the zoo's
 * networks, their parameters' records handed over one by one, give the verdicts the full probe gives
 * where the parameters can tell (vanishing early layers, a healthy network healthy).
 */
class ParameterHistoriesTest {
    /** The scenario run by the engine's probe, then judged from its parameters' records alone. */
    private static ParameterHistories parametersOf(String scenario) {
        Diagnosis full = Zoo.run(Zoo.find(scenario), 0);
        ParameterHistories h = new ParameterHistories(full.probe().config());
        for (NodeHistory n : full.probe().nodes().values()) {
            if (n.kind() != NodeHistory.Kind.PARAMETER) continue;
            for (StepRecord r : n.records()) h.record(n.name(), n.layerKindName(), n.shape(), r.toStep(), r.value(), r.grad(), r.updateNorm());
        }
        for (double[] l : full.probe().losses()) h.loss((long) l[0], l[1]);
        h.steps(full.steps());
        return h;
    }

    @Test
    void aDeepSigmoidMlpVanishesInItsEarlyLayers() {
        List<LayerVerdict> v = parametersOf("deep-sigmoid").verdicts();
        assertEquals(11, v.size(), "one verdict a linear layer: " + v);
        assertEquals("linear", v.get(0).kind());
        assertTrue(v.get(0).verdicts().contains(Verdict.VANISHING), v.get(0).toString());
        assertTrue(v.get(1).verdicts().contains(Verdict.VANISHING), v.get(1).toString());
        assertTrue(v.get(v.size() - 1).healthy(), "the last layer is the reference: " + v.get(v.size() - 1));
    }

    @Test
    void aBatchNormMlpIsHealthy() {
        Diagnosis d = parametersOf("deep-batchnorm").diagnosis();
        assertTrue(d.healthy(), Zoo.summary(d));
        assertEquals(21, d.layers().size(), "11 linear layers and 10 batch norms, each by its weight");
    }
}
