package org.gradprobe.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.probe.Zoo;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The long sweep (a few minutes): the fast check raises no false alarm over 100 seeds on every zoo
 * model, the seed CNN included. Run it with {@code mvn test -Dtest=FalseAlarmSweepTest -Dgradprobe.long=true}.
 */
@EnabledIfSystemProperty(named = "gradprobe.long", matches = "true")
class FalseAlarmSweepTest {
    @Test
    void fastCheckRaisesNoFalseAlarmOnZooModels() {
        Set<Zoo.Scenario> models = new LinkedHashSet<>(Zoo.scenarios());
        List<String> alarms = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Zoo.Scenario s : models) {
            if (!seen.add(s.spec() + s.init() + s.biasInit())) continue;
            int runs = 100;
            for (int seed = 0; seed < runs; seed++) {
                Model m = ModelSpec.build(s.spec(), new int[] {1, 28, 28}, DType.FLOAT64, Init.parse(s.init(), s.biasInit()), seed);
                for (CheckResult r : ModelCheck.check(m, 2, CheckOptions.of(CheckOptions.Mode.FAST, DType.FLOAT64, seed))) {
                    if (!r.passed()) alarms.add(s.name() + " seed " + seed + ":\n" + r.report());
                }
            }
        }
        assertEquals(List.of(), alarms);
    }
}
