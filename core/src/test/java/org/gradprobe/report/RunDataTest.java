package org.gradprobe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gradprobe.data.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run log read back line by line: every bad line named by file and number. */
class RunDataTest {
    @TempDir
    Path dir;

    static final String PROVENANCE = "{\"type\":\"provenance\",\"gradprobe\":\"dev\"}\n";
    static final String NODE = "{\"type\":\"node\",\"step\":1,\"node\":\"0\",\"layer\":\"0\",\"layer_kind\":\"relu\",\"kind\":\"activation\","
            + "\"shape\":[4],\"value\":{\"norm\":1.0},\"grad\":{\"norm\":\"NaN\",\"hist\":[1,2]}}\n";

    private Path log(byte[] content) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.write(f, content);
        return f;
    }

    private String error(String content) throws Exception {
        Path f = log(content.getBytes(StandardCharsets.UTF_8));
        return assertThrows(DataException.class, () -> RunData.read(f)).getMessage();
    }

    @Test
    void readsNodesAndDropsALastLineCutShort() throws Exception {
        RunData r = RunData.read(log((PROVENANCE + NODE + NODE + "{\"type\":\"node\",\"st").getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, r.nodes.get("0").steps.size());
        assertTrue(Double.isNaN(r.nodes.get("0").gradNorm.get(0)));
        assertEquals(2, r.nodes.get("0").gradHist.get(1)[1]);
    }

    @Test
    void aFieldOfTheWrongTypeNamesTheLineAndTheField() throws Exception {
        String m = error(PROVENANCE + NODE.replace("\"node\":\"0\"", "\"node\":7") + NODE);
        assertTrue(m.endsWith("metrics.jsonl:2: \"node\" is 7 in a \"node\" record, expected a string (the node's name)"), m);
        m = error(PROVENANCE + "{\"type\":\"loss\",\"step\":\"three\",\"loss\":1}\n");
        assertTrue(m.contains("metrics.jsonl:2: \"step\" is \"three\""), m);
        m = error(PROVENANCE + NODE.replace("\"hist\":[1,2]", "\"hist\":[1,\"x\"]"));
        assertTrue(m.contains(":2: \"hist\" holds \"x\""), m);
    }

    @Test
    void invalidUtf8NamesTheLine() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(PROVENANCE.getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {'{', '"', (byte) 0xff, '"', '}', '\n'});
        b.write(NODE.getBytes(StandardCharsets.UTF_8));
        Path f = log(b.toByteArray());
        String m = assertThrows(DataException.class, () -> RunData.read(f)).getMessage();
        assertEquals(f + ":2: not valid UTF-8, expected a JSON line", m);
    }

    @Test
    void aLogOfManyGigabytesWithoutLineBreaksIsRefusedAtItsFirstLine() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(3L << 30);              // 3 GiB of zero bytes, sparse
        }
        String m = assertThrows(DataException.class, () -> RunData.read(f)).getMessage();
        assertTrue(m.startsWith(f + ":1: line longer than 16.0 MiB"), m);
    }

    @Test
    void aDirectoryIsSaidAsSuch() {
        assertTrue(assertThrows(DataException.class, () -> RunData.read(dir)).getMessage().contains("is a directory"));
    }
}
