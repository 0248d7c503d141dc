package org.gradprobe.probe;

/**
 * What the probe concludes about a layer's gradient flow, or ({@link #DIVERGING}) about the loss. Each
 * verdict has the name the run record and {@code diagnose --json} write (a public contract), what it
 * means, and the remedy its advice gives (the detectors add what they measured).
 */
public enum Verdict {
    HEALTHY("healthy", "nothing wrong was seen", Advice.of()),
    VANISHING("vanishing", "the gradient reaching the layer is tiny next to the one at the network's output, so it barely learns",
            Advice.of("replace sigmoid/tanh with relu or gelu, add batchnorm, use residual connections or a shallower network, "
                    + "and he-normal (ReLU) or xavier (tanh) initialization")),
    EXPLODING("exploding", "the gradient grows on its way back to the layer, or jumps far above its own history",
            Advice.of("lower the initial weight scale (use he-normal for ReLU, xavier for tanh), add batchnorm, or ",
                    new Advice.Remedy(Advice.Setting.CLIP_NORM, 1))),
    DEAD("dead", "most ReLU units are inactive on every sample, so their gradient is always zero",
            Advice.of(new Advice.Remedy(Advice.Setting.BIAS_INIT, 0), ", use leakyrelu or gelu, or lower the learning rate")),
    SATURATED("saturated", "most sigmoid/tanh outputs sit at their bounds, where the gradient is ~0",
            Advice.of("scale the initial weights down (xavier-normal), add batchnorm before the activation, or use relu/gelu")),
    UPDATE_RATIO("update_ratio", "the optimizer's update is far from about 1e-3 of the weights",
            Advice.of("lower the learning rate or clip gradients if the updates are too large; raise it or fix the vanishing gradient "
                    + "if too small")),
    VANISHING_THROUGH_TIME("vanishing_through_time", "in a recurrent layer, the gradient reaching the sequence's first steps is tiny "
            + "next to the one at its last: the network cannot learn what lies that far back",
            Advice.of("use lstm or gru instead of a plain rnn, initialize the recurrent weights orthogonally or as the identity (IRNN), "
                    + "or train on shorter sequences")),
    EXPLODING_THROUGH_TIME("exploding_through_time", "in a recurrent layer, the gradient grows on its way back through the sequence's steps",
            Advice.of("scale the recurrent weights down (orthogonal initialization keeps them at norm 1), train on shorter sequences, or ",
                    new Advice.Remedy(Advice.Setting.CLIP_NORM, 1))),
    NONFINITE("nonfinite", "a NaN or Inf appeared in the layer's values or gradients",
            Advice.of("lower the learning rate, clip gradients, or check its inputs")),
    /** The loss's verdict: it grew well above its start. */
    DIVERGING("diverging", "the loss grows well above its start",
            Advice.of("lower the learning rate (try 10x lower) or ", new Advice.Remedy(Advice.Setting.CLIP_NORM, 1)));

    private final String jsonName;
    private final String meaning;
    private final Advice remedy;

    Verdict(String jsonName, String meaning, Advice remedy) {
        this.jsonName = jsonName;
        this.meaning = meaning;
        this.remedy = remedy;
    }

    /** The name in the run record and {@code diagnose --json}. */
    public String jsonName() { return jsonName; }

    /** What the verdict means, in a sentence. */
    public String meaning() { return meaning; }

    /** What to change, in general (the detectors' advice adds the numbers they saw). */
    public Advice remedy() { return remedy; }

    /** The verdict written {@code name} in the run record. */
    public static Verdict parse(String name) {
        for (Verdict v : values()) if (v.jsonName.equals(name)) return v;
        throw new IllegalArgumentException("unknown verdict '" + name + "'");
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
