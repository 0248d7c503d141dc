package org.gradprobe.cli;

import org.gradprobe.probe.Advice;

/** The command line's names for the settings the probe's advice speaks of. */
final class Flags {
    private Flags() {}

    /** The option that applies {@code setting}. */
    static String flag(Advice.Setting setting) {
        return switch (setting) {
            case CLIP_NORM -> "--clip-norm";
            case BIAS_INIT -> "--bias-init";
        };
    }

    /** A remedy in the library's words, then the option that applies it: "clip the gradient norm at 1 (--clip-norm 1)". */
    static String remedy(Advice.Remedy r) {
        return r.text() + " (" + flag(r.setting()) + " " + Advice.number(r.value()) + ")";
    }
}
