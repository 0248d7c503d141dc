package org.gradprobe.cli;

import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.Builtins;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.tensor.DType;
import picocli.CommandLine.Option;

/** Options that name and initialize a network (shared by train, demo, eval, grads). */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "SPEC", defaultValue = "seed-cnn", converter = Converters.NonEmpty.class,
            description = "Network: a built-in name (see 'gradprobe models') or a spec such as "
                    + "\"conv2d(8,3) relu flatten linear(10)\" (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--input", paramLabel = "CxHxW",
            description = "Per-sample input shape, e.g. 1x28x28 or 784 (default: the data's image shape, else the built-in's).")
    String input;

    @Option(names = "--dtype", paramLabel = "float32|float64", defaultValue = "float32", converter = Converters.DTypeConverter.class,
            description = "Element type (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--init", paramLabel = "SCHEME", defaultValue = "default", converter = Converters.NonEmpty.class,
            description = "Weight init: default (PyTorch's), he-normal, he-uniform, xavier-normal, xavier-uniform, normal(STD), "
                    + "uniform(A); append *K to scale (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--bias-init", paramLabel = "VALUE", converter = Converters.Finite.class, description = "Constant bias (default: PyTorch's uniform ±1/√fan_in).")
    Double biasInit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for weights, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    Init parsedInit() {
        try {
            return Init.parse(init, biasInit);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--init: " + e.getMessage());
        }
    }

    /** Builds the model; {@code dataShape} is used when --input is absent (may be null). */
    Model build(int[] dataShape) {
        return ModelSpec.build(model, input(dataShape), dtype, parsedInit(), seed);
    }

    /** As {@link #build}, for training: a model without parameters is refused. */
    Model buildTrainable(int[] dataShape) {
        Model m = build(dataShape);
        if (m.parameters().isEmpty()) throw new UsageException("--model '" + model + "' has no parameters to train");
        return m;
    }

    /** The model's layers and shapes, nothing allocated; {@code dataShape} as for {@link #build}. */
    ModelSpec.Plan plan(int[] dataShape) {
        return ModelSpec.plan(model, input(dataShape));
    }

    /** --input, else the data's shape, else the built-in's. */
    int[] input(int[] dataShape) {
        int[] in = Converters.dims("--input", input);
        if (in == null) {
            Builtins.Resolved r = Builtins.resolve(model);
            if (model.trim().equals("seed-cnn-cifar") && dataShape != null && !java.util.Arrays.equals(dataShape, r.defaultInput())) {
                throw new UsageException("seed-cnn-cifar takes 3x32x32 images but the data has " + org.gradprobe.tensor.Shapes.dims(dataShape)
                        + ": give --data a CIFAR-10 folder, or use seed-cnn");
            }
            in = dataShape != null ? dataShape : r.defaultInput();
            if (in == null) throw new UsageException("--input is needed for spec '" + model + "' (e.g. --input 1x28x28)");
        }
        return in;
    }
}
