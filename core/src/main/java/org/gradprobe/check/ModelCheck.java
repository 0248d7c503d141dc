package org.gradprobe.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradprobe.autograd.GradMode;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Layer;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.Tensor;

/**
 * Checks a whole model against a loss (mean cross-entropy by default; mse, bce-logits) on a random batch
 * and random targets of the kind the loss takes ({@link #randomTargets}): the gradient with respect to the
 * input and every parameter, then with respect to the input of every top-level layer (the rest of the
 * network run from there). Dropout masks are fixed per check, so every evaluation sees the same one.
 * Determinism and linearity of backward are verified once, on the whole model.
 */
public final class ModelCheck {
    private ModelCheck() {}

    /** Checks {@code model} against mean cross-entropy. */
    public static List<CheckResult> check(Model model, int batch, CheckOptions o) {
        return check(model, batch, o, Loss.CROSS_ENTROPY);
    }

    /** Checks {@code model} against {@code lossFn} (random targets of the kind it takes). */
    public static List<CheckResult> check(Model model, int batch, CheckOptions o, Loss lossFn) {
        model.to(o.dtype());
        SplittableRandom rng = Rand.stream(o.seed(), "model-check");
        // token ids take no gradient (and a perturbed id is no id): a model that starts with an embedding is checked
        // with respect to its parameters only
        boolean ids = tokenIds(model);
        Tensor x = randomInput(model, batch, o.dtype(), rng);
        if (!ids) x.requiresGrad(true);
        Targets targets = randomTargets(model.outputShape(), batch, lossFn, o.dtype(), rng);
        List<Layer> layers = model.layers();
        List<CheckResult> out = new ArrayList<>();

        Map<String, Tensor> params = model.parameters();
        int first = ids ? 0 : 1;
        Tensor[] inputs = new Tensor[params.size() + first];
        String[] names = new String[inputs.length];
        if (!ids) {
            inputs[0] = x;
            names[0] = "input";
        }
        int k = first;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            inputs[k] = e.getValue();
            names[k++] = e.getKey();
        }
        out.add(GradCheck.check(ids ? "model (parameters)" : "model (input and parameters)",
                in -> loss(layers, 0, ids ? x : in[0], targets, o.seed(), lossFn), inputs, names, o));

        // the input of each later top-level layer, with the rest of the network after it
        List<Tensor> nodeInputs = new ArrayList<>();
        Tensor h = x.detach();
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (int l = 0; l + 1 < layers.size(); l++) {
                h = layers.get(l).forward(h, context(o.seed()));
                nodeInputs.add(h.copy());
            }
        }
        for (int l = 0; l < nodeInputs.size(); l++) {
            int from = l + 1;
            Tensor node = nodeInputs.get(l).requiresGrad(true);
            out.add(GradCheck.check("input of layer " + layers.get(from).name() + " (" + layers.get(from).kind() + ")",
                    in -> loss(layers, from, in[0], targets, o.seed(), lossFn), new Tensor[] {node},
                    new String[] {"input of " + layers.get(from).name()}, o, false));
        }
        return out;
    }

    /** Checks one layer alone: its output with respect to its input (a random batch) and its parameters. */
    public static CheckResult checkLayer(Model model, String name, int batch, CheckOptions o) {
        model.to(o.dtype());
        Layer layer = null;
        for (Layer l : model.allLayers()) if (l.name().equals(name)) layer = l;
        if (layer == null) {
            List<String> names = new ArrayList<>();
            for (Layer l : model.allLayers()) names.add(l.name());
            throw new IllegalArgumentException("no layer named '" + name + "' (layers: " + String.join(", ", names) + ")");
        }
        Layer target = layer;
        Tensor x = Tensor.randn(o.dtype(), Rand.stream(o.seed(), "layer-check"), 1,
                org.gradprobe.tensor.Shapes.prepend(batch, layer.inShape())).requiresGrad(true);
        Tensor[] inputs = new Tensor[layer.params().size() + 1];
        String[] names = new String[inputs.length];
        inputs[0] = x;
        names[0] = "input";
        int k = 1;
        for (Map.Entry<String, Tensor> e : layer.params().entrySet()) {
            inputs[k] = e.getValue();
            names[k++] = name + "." + e.getKey();
        }
        return GradCheck.check("layer " + name + " (" + layer.describe() + ")", in -> target.forward(in[0], context(o.seed())), inputs, names, o);
    }

    static ForwardContext context(long seed) {
        return new ForwardContext(true, Rand.stream(seed, "dropout"), null);
    }

    /**
     * Random targets for {@code batch} samples of a model whose output a sample is {@code output}, of the
     * kind {@code loss} takes: class indices below the output's last dimension, one a sample for an output
     * [C], one a step for [T, C]; for mse, standard normal values shaped as the output; for bce-logits,
     * uniform values in [0, 1).
     */
    /** Whether {@code model} reads token ids (its first layer is an embedding). */
    public static boolean tokenIds(Model model) {
        return model.layers().get(0).kind().equals("embedding");
    }

    /**
     * A random batch for {@code model}: token ids uniform over the embedding's rows when it reads ids, else
     * standard normal values.
     */
    public static Tensor randomInput(Model model, int batch, org.gradprobe.tensor.DType dtype, SplittableRandom rng) {
        int[] shape = Shapes.prepend(batch, model.inputShape());
        if (!tokenIds(model)) return Tensor.randn(dtype, rng, 1, shape);
        int rows = model.layers().get(0).params().get("weight").dim(0);
        Tensor x = Tensor.zeros(dtype, shape);
        for (int i = 0; i < x.numel(); i++) x.set(i, rng.nextInt(rows));
        return x;
    }

    public static Targets randomTargets(int[] output, int batch, Loss loss, org.gradprobe.tensor.DType dtype, SplittableRandom rng) {
        if (loss.classTargets()) {
            int classes = output[output.length - 1];
            int[] shape = Shapes.prepend(batch, java.util.Arrays.copyOf(output, output.length - 1));
            int[] labels = new int[Shapes.numel(shape)];
            for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(classes);
            return Targets.classes(labels, shape);
        }
        int[] shape = Shapes.prepend(batch, output);
        if (loss == Loss.MSE) return Targets.values(Tensor.randn(dtype, rng, 1, shape));
        Tensor y = Tensor.zeros(dtype, shape);
        for (int i = 0; i < y.numel(); i++) y.set(i, rng.nextDouble());
        return Targets.values(y);
    }

    static Tensor loss(List<Layer> layers, int from, Tensor x, Targets targets, long seed, Loss lossFn) {
        ForwardContext ctx = context(seed);
        Tensor h = x;
        for (int l = from; l < layers.size(); l++) h = layers.get(l).forward(h, ctx);
        return lossFn.compute(h, targets);
    }
}
