package org.gradprobe.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.gradprobe.io.Heap;
import org.gradprobe.io.InputFiles;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.Tensor;

/**
 * Character-level language modelling on a real text (as Karpathy's char-rnn): a sample is T consecutive
 * characters of the text as ids, [T] (floats of integer values, as {@code F.embedding} takes them), and
 * its targets the character that follows at every step, T class ids: a batch's are [N, T], against
 * outputs [N, T, V] with per-token cross-entropy (for {@code embedding(V,D) lstm(H) linear(V)}).
 *
 * <p><b>The text.</b> By default the licence texts in {@value #DEFAULT_DIR}: Debian's {@code base-files}
 * package, which is Essential, puts them on every Debian system, so the corpus needs no download and no
 * install step (about 240 KB of English prose: the GPL, LGPL, GFDL, Apache, MPL, Artistic, CC0 and BSD
 * licences; each permits verbatim copies, and they are read in place, not copied). Its regular files are
 * read in name order (links such as GPL → GPL-3 are skipped, so no text is read twice) and joined by a
 * blank line. Any UTF-8 text file can be used instead ({@link #load}; {@code --data text:FILE}). Text is
 * read as Unicode code points; malformed UTF-8 becomes U+FFFD.
 *
 * <p><b>The vocabulary.</b> V ids: the V − 1 most frequent characters of the training part of the text
 * (ties broken by code point), ids 0 … V − 2 from the most frequent, and id V − 1, "other", for every
 * other character. The command line takes V from the model (its output's last dimension, and its
 * embedding's rows when it has one); {@link #DEFAULT_VOCABULARY} otherwise.
 *
 * <p><b>The split.</b> The last tenth of the text is held out: the test set is its consecutive,
 * non-overlapping windows of T + 1 characters (the same whatever the seed). The training set is
 * (training characters − 1) / T windows at offsets drawn uniformly from the seed within the training
 * part, so that an epoch sees about as many characters as the part holds.
 */
public final class CharText implements SampleSet {
    /** The default corpus: the licence texts every Debian system has. */
    public static final String DEFAULT_DIR = "/usr/share/common-licenses";
    /** T when the model's input does not say. */
    public static final int DEFAULT_STEPS = 64;
    /** V when no model says. */
    public static final int DEFAULT_VOCABULARY = 64;
    /** The held-out fraction of the text, at its end. */
    static final double TEST_FRACTION = 0.1;

    private final String name;
    private final int steps;
    /** The whole text as ids, shared by the training and test sets. */
    private final int[] ids;
    /** Each sample's first character in {@link #ids}. */
    private final int[] offsets;
    /** The character of each id below {@link #vocabulary} − 1 (fewer when the text has fewer distinct characters). */
    private final int[] chars;
    /** V: ids 0 … V − 1, the last "other". */
    private final int vocabulary;

    private CharText(String name, int steps, int[] ids, int[] offsets, int[] chars, int vocabulary) {
        this.name = name;
        this.steps = steps;
        this.ids = ids;
        this.offsets = offsets;
        this.chars = chars;
        this.vocabulary = vocabulary;
    }

    /** A text read, and where from (for messages). */
    public record Corpus(String text, String source) {
        /** The text cut into training and test windows of {@code steps}, with {@code vocabulary} ids (see {@link CharText}). */
        public Split split(int steps, int vocabulary, long seed) {
            return CharText.split(text, source, steps, vocabulary, seed);
        }
    }

    /** The default corpus ({@value #DEFAULT_DIR}) in windows of {@code steps}, with {@code vocabulary} ids. */
    public static Split load(int steps, int vocabulary, long seed) {
        return load(null, steps, vocabulary, seed);
    }

    /**
     * The text of {@code file} (null: the default corpus) in windows of {@code steps} characters, with
     * {@code vocabulary} ids; the training windows' offsets drawn from {@code seed}.
     */
    public static Split load(Path file, int steps, int vocabulary, long seed) {
        return corpus(file).split(steps, vocabulary, seed);
    }

    /** The text of {@code file}, or with null the default corpus: its files joined by a blank line. */
    public static Corpus corpus(Path file) {
        if (file != null) return new Corpus(read(file), file.toString());
        Path dir = Path.of(DEFAULT_DIR);
        List<Path> files = corpusFiles(dir);
        StringBuilder all = new StringBuilder();
        for (Path f : files) {
            if (all.length() > 0) all.append("\n\n");
            all.append(read(f));
        }
        return new Corpus(all.toString(), dir + " (" + files.size() + " licence texts, Debian's base-files)");
    }

    /** {@code text} cut into the training and test sets, as the class comment describes; {@code source} names it in messages. */
    public static Split split(String text, String source, int steps, int vocabulary, long seed) {
        if (steps < 1) throw new DataException(source + ": T = " + steps + " steps, expected at least 1");
        if (vocabulary < 2) throw new DataException(source + ": a vocabulary of " + vocabulary + " ids, expected at least 2 (a character and 'other')");
        int[] cp = text.codePoints().toArray();
        int trainChars = cp.length - (int) (cp.length * TEST_FRACTION);
        int testChars = cp.length - trainChars;
        if (trainChars < steps + 1 || testChars < steps + 1) {
            throw new DataException(source + ": " + cp.length + " characters, too short for windows of T = " + steps + " steps (the test set, its last "
                    + Math.round(100 * TEST_FRACTION) + "%, needs at least T + 1 = " + (steps + 1) + " characters, so the text " + (int) Math.ceil((steps + 1) / TEST_FRACTION) + ")");
        }
        // the vocabulary: the training part's most frequent characters, ties by code point
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < trainChars; i++) counts.merge(cp[i], 1, Integer::sum);
        List<Integer> byFrequency = new ArrayList<>(counts.keySet());
        byFrequency.sort((a, b) -> counts.get(a).equals(counts.get(b)) ? Integer.compare(a, b) : Integer.compare(counts.get(b), counts.get(a)));
        int[] chars = byFrequency.stream().limit(vocabulary - 1).mapToInt(Integer::intValue).toArray();
        Map<Integer, Integer> id = new HashMap<>();
        for (int i = 0; i < chars.length; i++) id.put(chars[i], i);
        int other = vocabulary - 1;
        int[] ids = new int[cp.length];
        for (int i = 0; i < cp.length; i++) ids[i] = id.getOrDefault(cp[i], other);

        int[] trainOffsets = new int[(trainChars - 1) / steps];
        SplittableRandom rng = Rand.stream(seed, "text-train");
        // a window and the character after it lie within the training part: offsets 0 .. trainChars − T − 1
        for (int i = 0; i < trainOffsets.length; i++) trainOffsets[i] = rng.nextInt(trainChars - steps);
        int[] testOffsets = new int[(testChars - 1) / steps];
        for (int i = 0; i < testOffsets.length; i++) testOffsets[i] = trainChars + i * steps;
        String what = "T=" + steps + ", V=" + vocabulary;
        return new Split(new CharText("text (" + what + ", train)", steps, ids, trainOffsets, chars, vocabulary),
                new CharText("text (" + what + ", test)", steps, ids, testOffsets, chars, vocabulary),
                source + ": " + cp.length + " characters; V = " + vocabulary + ", the " + chars.length + " commonest of the training part's "
                        + counts.size() + " and 'other'; the last " + Math.round(100 * TEST_FRACTION) + "% held out");
    }

    /** The regular files of the corpus folder, in name order (links skipped: GPL is GPL-3 again). */
    static List<Path> corpusFiles(Path dir) {
        String problem = InputFiles.folderProblem(dir);
        if (problem != null) {
            throw new DataException(dir + ": " + problem + " (the licence texts every Debian system has, the default text corpus); "
                    + "give a text file as text:FILE");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir + ": " + InputFiles.reason(e), e);
        }
        if (files.isEmpty()) throw new DataException(dir + ": no text files in it (expected the licence texts of Debian's base-files)");
        return files;
    }

    /** A text file as UTF-8, checked to be a readable regular file that fits the heap. */
    static String read(Path file) {
        String problem = InputFiles.problem(file);
        if (problem != null) throw new DataException(file + ": " + problem + " (expected a UTF-8 text file)");
        try {
            long size = Files.size(file);
            // the bytes, the text's UTF-16 and its code points and ids: at most about 14 bytes a byte of ASCII
            if (size > Heap.MAX_ARRAY / 4) {
                throw new DataException(file + ": " + Heap.bytes(size) + " of text, more than gradprobe reads as one corpus ("
                        + Heap.bytes(Heap.MAX_ARRAY / 4) + ")");
            }
            String shortfall = Heap.shortfall(14 * size);
            if (shortfall != null) throw new DataException(file + ": " + Heap.bytes(size) + " of text " + shortfall);
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            if (text.isEmpty()) throw new DataException(file + ": empty, expected a text");
            return text;
        } catch (IOException e) {
            throw new DataException(file + ": " + InputFiles.reason(e), e);
        }
    }

    /** Steps a sequence. */
    public int steps() { return steps; }

    @Override public String name() { return name; }
    @Override public int size() { return offsets.length; }
    @Override public int[] sampleShape() { return new int[] {steps}; }
    @Override public String unit() { return "sequences"; }
    @Override public long bytes() { return 4L * ids.length + 4L * offsets.length; }

    /** V, the ids a target takes. */
    @Override public int classes() { return vocabulary; }

    /** Id {@code c}'s character, escaped for a table ("\n", "' '"), or "other" for the last id. */
    @Override
    public String className(int c) {
        if (c >= chars.length) return "other";
        int ch = chars[c];
        if (ch == '\n') return "\\n";
        if (ch == '\t') return "\\t";
        if (ch == ' ') return "' '";
        return new String(Character.toChars(ch));
    }

    /** The text of {@code idsToDecode} ("other" as U+FFFD). */
    public String decode(int[] idsToDecode) {
        StringBuilder sb = new StringBuilder();
        for (int i : idsToDecode) sb.appendCodePoint(i < chars.length ? chars[i] : 0xFFFD);
        return sb.toString();
    }

    @Override
    public CharText head(int n) {
        if (n >= size()) return this;
        return new CharText(name + " (first " + n + ")", steps, ids, Arrays.copyOf(offsets, n), chars, vocabulary);
    }

    /** Inputs [N, T]: the ids of T characters; targets [N, T]: the id of the character after each. */
    @Override
    public Targets fill(int[] samples, Tensor input, double mean, double std) {
        int[] labels = new int[samples.length * steps];
        for (int i = 0; i < samples.length; i++) {
            int o = offsets[samples[i]];
            for (int t = 0; t < steps; t++) {
                input.set(i * steps + t, ids[o + t]);
                labels[i * steps + t] = ids[o + t + 1];
            }
        }
        return Targets.classes(labels, new int[] {samples.length, steps});
    }
}
