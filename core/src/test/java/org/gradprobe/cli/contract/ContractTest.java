package org.gradprobe.cli.contract;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every family of bad inputs against the whole command line (see {@link Contract}): each case is a
 * test of its own. A new family is a {@link Contract.Source} added to {@link #SOURCES}.
 */
class ContractTest {
    static final List<Contract.Source> SOURCES = List.of(new CommandCases(), new OptionCases(), new ModelCases(), new FileCases(), new MisuseCases(),
            new LossAndDataCases());

    /** At least this many cases in all, so that a family cannot quietly shrink. */
    static final int AT_LEAST = 340;

    @TempDir
    Path dir;

    @TestFactory
    List<DynamicTest> everyBadInputKeepsThePromise() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Contract.Source s : SOURCES) {
            Path fixtures = Files.createDirectories(dir.resolve(s.getClass().getSimpleName()));
            for (Contract.Case c : s.cases(fixtures)) tests.add(DynamicTest.dynamicTest(c.toString(), () -> Contract.check(c, fixtures)));
        }
        int total = tests.size();
        tests.add(DynamicTest.dynamicTest("at least " + AT_LEAST + " cases", () -> assertTrue(total >= AT_LEAST, total + " cases")));
        return tests;
    }
}
