package org.gradprobe.cli;

import java.util.List;
import java.util.Map;
import org.gradprobe.optim.Adam;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.optim.RmsProp;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.Tensor;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The optimizer and its settings, as torch.optim names them, shared by train and diagnose (each sets
 * its own learning rate). Momentum and weight decay default per optimizer, as in PyTorch, except SGD's
 * momentum, 0.9 as in the seed recipe.
 */
final class OptimizerOptions {
    /** The options each optimizer takes; any other optimizer option is refused, not ignored. */
    private static final Map<String, List<String>> TAKES = Map.of(
            "sgd", List.of("--momentum", "--dampening", "--nesterov", "--weight-decay"),
            "adam", List.of("--beta1", "--beta2", "--eps", "--weight-decay"),
            "adamw", List.of("--beta1", "--beta2", "--eps", "--weight-decay"),
            "rmsprop", List.of("--alpha", "--eps", "--momentum", "--centered", "--weight-decay"));
    private static final String[] ALL = {"--momentum", "--dampening", "--nesterov", "--weight-decay", "--beta1", "--beta2", "--eps", "--alpha", "--centered"};

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "sgd|adam|adamw|rmsprop", description = "Optimizer (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", converter = Converters.Fraction.class, description = "Momentum of SGD (default: 0.9) or RMSprop (default: 0).")
    Double momentum;

    @Option(names = "--dampening", defaultValue = "0", converter = Converters.NonNegative.class, description = "SGD dampening (default: ${DEFAULT-VALUE}).")
    double dampening;

    @Option(names = "--nesterov", description = "SGD with Nesterov momentum.")
    boolean nesterov;

    @Option(names = "--weight-decay", converter = Converters.NonNegative.class, description = "Weight decay: L2 through the gradient (sgd, adam, rmsprop; default: 0) or "
            + "decoupled (adamw; default: 0.01).")
    Double weightDecay;

    @Option(names = "--beta1", defaultValue = "0.9", converter = Converters.Fraction.class, description = "Adam/AdamW β1 (default: ${DEFAULT-VALUE}).")
    double beta1;

    @Option(names = "--beta2", defaultValue = "0.999", converter = Converters.Fraction.class, description = "Adam/AdamW β2 (default: ${DEFAULT-VALUE}).")
    double beta2;

    @Option(names = "--eps", defaultValue = "1e-8", converter = Converters.Positive.class, description = "Adam/AdamW/RMSprop ε (default: ${DEFAULT-VALUE}).")
    double eps;

    @Option(names = "--alpha", defaultValue = "0.99", converter = Converters.UnitInterval.class, description = "RMSprop smoothing constant (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--centered", description = "RMSprop normalized by the gradient's estimated variance.")
    boolean centered;

    double momentum() {
        return momentum != null ? momentum : optimizer.equals("sgd") ? 0.9 : 0;
    }

    double weightDecay() {
        return weightDecay != null ? weightDecay : optimizer.equals("adamw") ? 0.01 : 0;
    }

    /** Checks the settings; a usage error names the option. */
    void validate() {
        if (!optimizer.matches("sgd|adam|adamw|rmsprop")) {
            throw new UsageException("invalid --optimizer: '" + optimizer + "' (expected sgd, adam, adamw or rmsprop)");
        }
        List<String> takes = TAKES.get(optimizer);
        for (String o : ALL) {
            if (!takes.contains(o)) OptionRules.refuse(command, "does not apply to --optimizer " + optimizer + " (it takes " + String.join(", ", takes) + ")", o);
        }
        if (nesterov && (momentum() <= 0 || dampening != 0)) throw new UsageException("--nesterov needs --momentum > 0 and --dampening 0");
    }

    Optimizer build(Map<String, Tensor> params, double lr) {
        switch (optimizer) {
            case "adam": return new Adam(params, lr, beta1, beta2, eps, weightDecay());
            case "adamw": return Adam.adamW(params, lr, beta1, beta2, eps, weightDecay());
            case "rmsprop": return new RmsProp(params, lr, alpha, eps, weightDecay(), momentum(), centered);
            default: return new Sgd(params, lr, momentum(), dampening, weightDecay(), nesterov);
        }
    }
}
