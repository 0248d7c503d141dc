package org.gradprobe.train;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradprobe.kernels.Kernels;

/** Who, what and when of a run: the first line of every log and report. */
public final class Provenance {
    private Provenance() {}

    public static Map<String, Object> of(String version, String command, String spec, Map<String, Object> settings, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "provenance");
        m.put("gradprobe", version);
        m.put("command", command);
        m.put("model", spec);
        m.put("settings", settings);
        m.put("seed", seed);
        m.put("java.version", System.getProperty("java.version"));
        m.put("os.name", System.getProperty("os.name"));
        m.put("os.arch", System.getProperty("os.arch"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("kernels", Kernels.describe());
        m.put("time", OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString());
        return m;
    }
}
