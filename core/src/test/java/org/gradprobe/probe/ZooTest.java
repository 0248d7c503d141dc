package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every zoo scenario gives its expected verdicts; the healthy ones raise nothing. */
class ZooTest {
    static Stream<String> scenarios() {
        return Zoo.scenarios().stream().map(Zoo.Scenario::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenarioGivesItsExpectedVerdicts(String name) {
        Zoo.Scenario s = Zoo.find(name);
        Diagnosis d = Zoo.run(s, 0);
        List<String> problems = Zoo.check(s, d);
        assertTrue(problems.isEmpty(), name + ": " + problems);
    }
}
