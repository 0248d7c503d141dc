package org.gradprobe.cli;

import java.util.Map;
import org.gradprobe.tensor.Tensor;

/** eval and grads run on weights or inputs that hold NaN or Inf, but first say which tensor of which file does. */
final class NonFiniteInputs {
    private NonFiniteInputs() {}

    /** Warns once per tensor of {@code tensors} that holds NaN or Inf; returns how many did. */
    static int warn(String file, Map<String, Tensor> tensors) {
        int bad = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) if (warn(file, e.getKey(), e.getValue())) bad++;
        return bad;
    }

    /** Warns when {@code t} holds NaN or Inf: "w.safetensors: tensor 'fc1.weight' holds 3 NaN and 0 Inf of 1280 values". */
    static boolean warn(String file, String name, Tensor t) {
        long nan = 0, inf = 0;
        for (int i = 0, n = t.numel(); i < n; i++) {
            double v = t.get(i);
            if (Double.isNaN(v)) nan++;
            else if (Double.isInfinite(v)) inf++;
        }
        if (nan == 0 && inf == 0) return false;
        Main.warn(file + ": tensor '" + name + "' holds " + nan + " NaN and " + inf + " Inf of " + t.numel()
                + " values; what depends on it will be NaN");
        return true;
    }
}
