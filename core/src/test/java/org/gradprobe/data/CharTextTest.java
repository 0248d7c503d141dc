package org.gradprobe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The character text: windows of real text as ids, the next character as each step's target, the vocabulary and the split. */
class CharTextTest {
    @TempDir
    Path dir;

    /** The default corpus read independently: the folder's regular files in name order, joined by a blank line. */
    static String corpus() throws IOException {
        Path d = Path.of(CharText.DEFAULT_DIR);
        assumeTrue(Files.isDirectory(d), "a Debian system's " + d);
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(d)) {
            for (Path f : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                if (sb.length() > 0) sb.append("\n\n");
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    static Batches.Batch all(SampleSet s) {
        return new Batches(s, s.size(), null, 0.5, 0.5, DType.FLOAT64).get(0);
    }

    static int[] ids(Batches.Batch b) {
        int[] v = new int[b.input().numel()];
        for (int i = 0; i < v.length; i++) v[i] = (int) b.input().get(i);
        return v;
    }

    @Test
    void theDefaultCorpusIsTheDebianLicenceTextsCutIntoWindowsWhoseTargetsAreTheNextCharacter() throws IOException {
        String text = corpus();
        int[] cp = text.codePoints().toArray();
        int steps = 64, v = 64;
        SampleSet.Split s = CharText.load(steps, v, 0);
        int trainChars = cp.length - (int) (cp.length * 0.1);
        assertEquals((trainChars - 1) / steps, s.train().size());
        assertEquals((cp.length - trainChars - 1) / steps, s.test().size());
        assertTrue(s.train().size() > 3000, "about 240 KB of text: " + s.train().size() + " training windows");
        assertEquals(v, s.train().classes());
        assertArrayEquals(new int[] {steps}, s.train().sampleShape());

        // the vocabulary: the training part's characters by frequency, then 'other'
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < trainChars; i++) counts.merge(cp[i], 1, Integer::sum);
        CharText test = (CharText) s.test();
        for (int id = 0; id + 2 < v; id++) {
            int a = test.className(id).codePointAt(0), b = test.className(id + 1).codePointAt(0);
            if (!test.className(id).startsWith("'") && !test.className(id).startsWith("\\") && !test.className(id + 1).startsWith("'")
                    && !test.className(id + 1).startsWith("\\")) {
                assertTrue(counts.get(a) >= counts.get(b), "id " + id + " is at least as frequent as id " + (id + 1));
            }
        }
        assertEquals("' '", test.className(0), "the space is the commonest character of prose");
        assertEquals("other", test.className(v - 1));

        // the test set: consecutive windows of the held-out tail, the text itself where its characters are in the vocabulary
        Batches.Batch b = all(s.test());
        int[] in = ids(b), next = ((Targets.Classes) b.targets()).labels();
        assertArrayEquals(new int[] {s.test().size(), steps}, ((Targets.Classes) b.targets()).shape());
        String decoded = test.decode(in);
        int[] truth = text.codePoints().skip(trainChars).limit(in.length).toArray();
        int[] got = decoded.codePoints().toArray();
        int known = 0;
        for (int i = 0; i < truth.length; i++) {
            if (got[i] != 0xFFFD) {
                assertEquals(truth[i], got[i], "character " + i + " of the test part");
                known++;
            } else {
                assertEquals(v - 1, in[i]);
            }
        }
        assertTrue(known > 0.95 * truth.length, "most characters are in a vocabulary of 64: " + known + " of " + truth.length);
        // each step's target is the next step's input, and the last step's the character after the window
        for (int n = 0; n < s.test().size(); n++) {
            for (int t = 0; t + 1 < steps; t++) assertEquals(in[n * steps + t + 1], next[n * steps + t]);
            if (n + 1 < s.test().size()) assertEquals(in[(n + 1) * steps], next[n * steps + steps - 1], "windows are consecutive");
        }
    }

    @Test
    void trainingWindowsComeFromTheSeedAndNeverReachTheHeldOutTail() {
        // a text whose tail holds characters the training part has not: any window reaching it would show 'other'
        String text = "abcab".repeat(200) + "xyz".repeat(30);    // 1090 characters: the last 109 are held out, all of "xyz" among them
        SampleSet.Split a = CharText.split(text, "t", 8, 5, 1), b = CharText.split(text, "t", 8, 5, 1), c = CharText.split(text, "t", 8, 5, 2);
        Batches.Batch train = all(a.train());
        for (int id : ids(train)) assertTrue(id < 4, "training inputs lie in the training part");
        for (int id : ((Targets.Classes) train.targets()).labels()) assertTrue(id < 4, "so do their targets");
        assertTrue(java.util.Arrays.stream(ids(all(a.test()))).filter(id -> id == 4).count() >= 80, "the tail's x, y and z are 'other'");
        assertArrayEquals(ids(train), ids(all(b.train())), "same seed, same windows");
        assertFalse(java.util.Arrays.equals(ids(train), ids(all(c.train()))), "another seed, other windows");
        assertArrayEquals(ids(all(a.test())), ids(all(c.test())), "one test set whatever the seed");
    }

    @Test
    void aVocabularyLargerThanTheTextsCharactersLeavesIdsUnused() {
        SampleSet.Split s = CharText.split("hello world, ".repeat(100), "t", 10, 50, 0);
        assertEquals(50, s.train().classes());
        for (int id : ids(all(s.train()))) assertTrue(id < 9, "9 distinct characters: ids 0..8, " + id);
    }

    @Test
    void aFileIsReadAsUtf8AndBadOnesAreRefusedNamingThem() throws IOException {
        Path f = Files.writeString(dir.resolve("t.txt"), "ünïcödé text, ".repeat(50));
        SampleSet.Split s = CharText.load(f, 16, 20, 0);
        assertTrue(s.source().startsWith(f.toString()), s.source());
        assertTrue(((CharText) s.train()).decode(ids(all(s.train()))).contains("ö"), "UTF-8 decoded");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertMessage(() -> CharText.load(empty, 16, 20, 0), empty + ": empty");
        Path shortText = Files.writeString(dir.resolve("short.txt"), "too short");
        assertMessage(() -> CharText.load(shortText, 16, 20, 0), shortText + ": 9 characters, too short for windows of T = 16");
        assertMessage(() -> CharText.load(dir.resolve("none.txt"), 16, 20, 0), "none.txt: no such file");
        assertMessage(() -> CharText.load(dir, 16, 20, 0), dir + ": is a directory, expected a file");
        assertMessage(() -> CharText.load(f, 16, 1, 0), "a vocabulary of 1 ids, expected at least 2");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String fragment) {
        String m = assertThrows(DataException.class, e).getMessage();
        assertTrue(m.contains(fragment), m);
    }

    @Test
    void aMissingCorpusFolderIsNamedWithWhatToDoInstead() {
        assertMessage(() -> CharText.corpusFiles(dir.resolve("common-licenses")), "common-licenses: no such directory (the licence texts");
        assertMessage(() -> CharText.corpusFiles(dir), dir + ": no text files in it");
    }

    @Test
    void theDefaultCorpusSkipsLinksSoNoLicenceIsReadTwice() throws IOException {
        assumeTrue(Files.isDirectory(Path.of(CharText.DEFAULT_DIR)));
        List<Path> files = CharText.corpusFiles(Path.of(CharText.DEFAULT_DIR));
        for (Path p : files) assertFalse(Files.isSymbolicLink(p), p.toString());
        assertTrue(files.stream().anyMatch(p -> p.getFileName().toString().equals("GPL-3")), files.toString());
    }
}
