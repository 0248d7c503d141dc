package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictTest {
    @Test
    void jsonNamesAreTheRunRecordsContract() {
        assertEquals(List.of("healthy", "vanishing", "exploding", "dead", "saturated", "update_ratio", "vanishing_through_time",
                        "exploding_through_time", "nonfinite", "diverging"),
                Arrays.stream(Verdict.values()).map(Verdict::jsonName).toList());
        for (Verdict v : Verdict.values()) assertEquals(v, Verdict.parse(v.jsonName()));
    }

    @Test
    void adviceSpeaksOfConceptsNotFlags() {
        for (Verdict v : Verdict.values()) assertFalse(v.remedy().text().contains("--"), v + ": " + v.remedy().text());
        Advice a = Verdict.EXPLODING.remedy().after("gradients grow on their way back");
        assertEquals("gradients grow on their way back: lower the initial weight scale (use he-normal for ReLU, xavier for tanh), add batchnorm, "
                + "or clip the gradient norm at 1", a.text());
        assertEquals(List.of(new Advice.Remedy(Advice.Setting.CLIP_NORM, 1)), a.remedies());
        assertEquals("x [CLIP_NORM=1]", Advice.of("x ", a.remedies().get(0)).render(r -> "[" + r.setting() + "=" + Advice.number(r.value()) + "]"));
    }

    @Test
    void layerKindsParseOnceAndUnknownKindsAreOther() {
        assertEquals(LayerKind.RELU, LayerKind.of("relu"));
        assertEquals(LayerKind.MAXPOOL2D, LayerKind.of("maxpool2d"));
        assertEquals(LayerKind.OTHER, LayerKind.of("poison"));
    }
}
