package org.gradprobe.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The outcome of checking one op, layer or model: one {@link TensorCheck} per input, and pass/fail. */
public record CheckResult(String name, CheckOptions options, List<TensorCheck> tensors, List<String> notes, boolean passed, double seconds) {

    /** One summary line per tensor, and the worst mismatches of each failing one. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s %s (%s, %s, eps %.0e, atol %.0e, rtol %.0e%s) %.3f s%n", passed ? "PASS" : "FAIL", name,
                options.mode().name().toLowerCase(Locale.ROOT), options.dtype(), options.eps(), options.atol(), options.rtol(),
                options.dtype() == org.gradprobe.tensor.DType.FLOAT32 ? ", float32 tolerances" : "", seconds));
        for (TensorCheck t : tensors) {
            sb.append("  ").append(t.line()).append('\n');
            for (TensorCheck.Mismatch m : t.mismatches()) {
                sb.append(String.format(Locale.ROOT, "       at %-24s analytic % .6e  numeric % .6e  abs err %.2e  rel err %.2e%n", m.position(),
                        m.analytic(), m.numeric(), m.absErr(), m.relErr()));
            }
        }
        for (String n : notes) sb.append("  ").append(n).append('\n');
        return sb.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("passed", passed);
        m.put("mode", options.mode().name().toLowerCase(Locale.ROOT));
        m.put("dtype", options.dtype().toString());
        m.put("seconds", seconds);
        List<Object> ts = new ArrayList<>();
        for (TensorCheck t : tensors) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("tensor", t.name());
            x.put("passed", t.passed());
            x.put("compared", t.compared());
            x.put("kinks", t.kinks());
            x.put("max_abs_err", t.maxAbsErr());
            x.put("max_rel_err", t.maxRelErr());
            List<Object> ms = new ArrayList<>();
            for (TensorCheck.Mismatch mm : t.mismatches()) {
                Map<String, Object> y = new LinkedHashMap<>();
                y.put("at", mm.position());
                y.put("analytic", mm.analytic());
                y.put("numeric", mm.numeric());
                ms.add(y);
            }
            x.put("mismatches", ms);
            ts.add(x);
        }
        m.put("tensors", ts);
        m.put("notes", notes);
        return m;
    }
}
