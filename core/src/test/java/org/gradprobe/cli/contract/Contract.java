package org.gradprobe.cli.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.gradprobe.cli.Main;

/**
 * The command line's promise, as a test helper: a bad input gets exit code 2 (usage) or 1 (data or
 * runtime), one line on stderr that starts with "gradprobe: " and names what was wrong (a usage error
 * may add the line "Try 'gradprobe ... --help'."), no stack trace, and no file left half-written.
 */
public final class Contract {
    private Contract() {}

    /**
     * One bad input: the arguments after {@code gradprobe}, the exit code it must give, and the
     * fragments its error line must contain (the option or file it names, what was wrong).
     */
    public record Case(String name, List<String> args, int exit, List<String> fragments) {
        public static Case of(String name, int exit, String[] args, String... fragments) {
            return new Case(name, List.of(args), exit, List.of(fragments));
        }

        @Override
        public String toString() {
            return name + ": gradprobe " + String.join(" ", args);
        }
    }

    /** A family of bad inputs; {@code fixtures} is a fresh folder for the files they need. */
    public interface Source {
        List<Case> cases(Path fixtures) throws IOException;
    }

    /** What a run printed. */
    public record Outcome(int exit, String out, String err) {}

    /** Runs the command line in this JVM. */
    public static Outcome run(List<String> args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** Runs {@code c} and asserts the promise; {@code watched} is searched for stray temporary files after. */
    public static void check(Case c, Path watched) {
        Outcome o = run(c.args());
        assertPromise(c, o);
        assertNoTemporaryFiles(watched, c.toString());
    }

    /** The promise on what a run printed. */
    public static void assertPromise(Case c, Outcome o) {
        String where = c + "\nstderr:\n" + o.err();
        assertEquals(c.exit(), o.exit(), "exit code of " + where);
        List<String> lines = o.err().lines().filter(l -> !l.isBlank()).toList();
        assertFalse(lines.isEmpty(), "no error line for " + where);
        String first = lines.get(0);
        assertTrue(first.startsWith("gradprobe: "), "the error line starts with 'gradprobe: ' in " + where);
        boolean tryHelp = lines.size() == 2 && c.exit() == 2 && lines.get(1).startsWith("Try 'gradprobe");
        assertTrue(lines.size() == 1 || tryHelp, "one line (a usage error may add 'Try ... --help') in " + where);
        for (String f : c.fragments()) assertTrue(first.contains(f), "'" + f + "' named in " + where);
        assertFalse(o.err().contains("\tat ") || o.err().contains("Exception in thread"), "no stack trace in " + where);
    }

    /** No file whose name ends in .tmp (an atomic write's temporary) is left under {@code dir}. */
    public static void assertNoTemporaryFiles(Path dir, String what) {
        if (dir == null || !Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> stray = s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertTrue(stray.isEmpty(), "temporary files left by " + what + ": " + stray);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
