package org.gradprobe.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.Tensor;

/**
 * One forward and backward pass of a loss (cross-entropy, mse or bce-logits, as {@code gradprobe grads --loss}) that keeps everything a user may want to hold
 * against PyTorch: the loss, every parameter's gradient, every layer's output (value) and the
 * gradient of the loss with respect to every layer's output (node), keyed by layer name.
 */
public record GradCapture(Tensor loss, Map<String, Tensor> paramGrads, Map<String, Tensor> values, Map<String, Tensor> nodeGrads) {

    /** Runs the pass; parameter gradients are computed fresh (previous ones are cleared). */
    public static GradCapture run(Model model, Tensor input, Targets targets, boolean training, long seed, Loss loss) {
        Map<String, Tensor> values = new LinkedHashMap<>();
        ForwardContext ctx = new ForwardContext(training, new SplittableRandom(seed), (name, layer, out) -> {
            out.retainGrad();
            values.put(name, out);
        });
        model.zeroGrad();
        Tensor logits = model.forward(input, ctx);
        Tensor value = loss.compute(logits, targets);
        Backward.backward(value);
        Map<String, Tensor> nodes = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : values.entrySet()) {
            Tensor g = e.getValue().grad();
            nodes.put(e.getKey(), g != null ? g : Tensor.zerosLike(e.getValue()));
        }
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            Tensor g = e.getValue().grad();
            params.put(e.getKey(), g != null ? g : Tensor.zerosLike(e.getValue()));
        }
        return new GradCapture(value.detach(), params, values, nodes);
    }
}
