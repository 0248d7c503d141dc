package org.gradprobe.nn;

import java.util.SplittableRandom;
import org.gradprobe.ops.ThroughTime;
import org.gradprobe.tensor.Tensor;

/**
 * What a forward pass needs besides its input: train or eval mode, the generator for dropout, and an
 * optional observer that sees every layer's output (the probe and the {@code grads} command use it) and
 * may ask recurrent layers for the gradient through time.
 */
public final class ForwardContext {
    /** Sees each layer's output as soon as it is made. */
    @FunctionalInterface
    public interface LayerObserver {
        void onOutput(String layerName, Layer layer, Tensor output);

        /**
         * Where recurrent layer {@code layerName}'s stacked layer {@code k} (0 for the first) should report
         * the gradient at its hidden state at each time step in the coming backward pass; null: nowhere.
         */
        default ThroughTime throughTime(String layerName, int k) {
            return null;
        }
    }

    public final boolean training;
    public final SplittableRandom rng;
    public final LayerObserver observer;

    public ForwardContext(boolean training, SplittableRandom rng, LayerObserver observer) {
        this.training = training;
        this.rng = rng;
        this.observer = observer;
    }

    public static ForwardContext eval() {
        return new ForwardContext(false, new SplittableRandom(0), null);
    }

    ThroughTime throughTime(String name, int k) {
        return observer == null ? null : observer.throughTime(name, k);
    }

    void emit(String name, Layer layer, Tensor out) {
        if (out.node() != null) out.node().setLabel(name);
        if (observer != null) observer.onOutput(name, layer, out);
    }
}
