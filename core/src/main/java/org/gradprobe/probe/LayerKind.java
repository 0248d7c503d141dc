package org.gradprobe.probe;

import java.util.Locale;

/**
 * The kinds of layer the probe tells apart, parsed once from a layer's kind as a spec writes it; a
 * layer of a kind it does not know (one a user wrote) is {@link #OTHER}.
 */
public enum LayerKind {
    CONV2D, MAXPOOL2D, AVGPOOL2D, LINEAR, RELU, LEAKYRELU, SIGMOID, TANH, GELU, BATCHNORM, DROPOUT, FLATTEN, RESIDUAL,
    EMBEDDING, RNN, LSTM, GRU, LAST, MEANPOOL, OTHER;

    /** The kind of a layer whose {@code Layer.kind()} is {@code name}. */
    public static LayerKind of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return OTHER;
        }
    }

    /** A layer that repeats a cell over the steps of a sequence: the probe follows its gradient through time. */
    public boolean recurrent() {
        return this == RNN || this == LSTM || this == GRU;
    }

    /** Sigmoid and tanh: their outputs saturate at bounds where the gradient is ~0. */
    public boolean saturates() {
        return this == SIGMOID || this == TANH;
    }

    /** The lower bound's saturation threshold (within 1% of the bound); the upper is 0.99 for both. */
    double saturationLow() {
        return this == SIGMOID ? 0.01 : -0.99;
    }
}
