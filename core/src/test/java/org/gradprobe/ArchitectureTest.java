package org.gradprobe;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The package layering, lowest first: no package depends on one of a higher level (packages of one
 * level may use each other). tensor and autograd are one level: a tensor carries the node that made
 * it, as PyTorch's tensor carries its grad_fn.
 */
class ArchitectureTest {
    static final String[][] LEVELS = {
        {"kernels"},
        {"tensor", "autograd"},
        {"ops"},
        {"nn"},
        {"optim", "data", "io"},
        {"train"},
        {"probe", "check"},
        {"report"},
        {"bench", "cli"},
    };

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.gradprobe");

    static String pkg(String name) {
        return "org.gradprobe." + name + "..";
    }

    @Test
    void noPackageDependsOnAHigherLevel() {
        for (int level = 0; level < LEVELS.length - 1; level++) {
            List<String> higher = new ArrayList<>();
            for (int h = level + 1; h < LEVELS.length; h++) for (String p : LEVELS[h]) higher.add(pkg(p));
            for (String p : LEVELS[level]) {
                noClasses().that().resideInAPackage(pkg(p))
                        .should().dependOnClassesThat().resideInAnyPackage(higher.toArray(new String[0]))
                        .because(p + " sits below " + higher.stream().map(s -> s.substring(14, s.length() - 2)).toList())
                        .check(CLASSES);
            }
        }
    }

    @Test
    void everyPackageHasALevel() {
        // a new package must be placed in the layering, or the rule above would not see it
        Set<String> placed = new TreeSet<>(), found = new TreeSet<>();
        for (String[] level : LEVELS) placed.addAll(List.of(level));
        for (JavaClass c : CLASSES) {
            String name = c.getPackageName();
            if (name.startsWith("org.gradprobe.")) found.add(name.substring("org.gradprobe.".length()).split("\\.")[0]);
        }
        assertTrue(found.size() > 10, "classes were imported: " + found);
        assertEquals(placed, found, "packages with a level vs packages in the code");
    }
}
