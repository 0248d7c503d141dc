package org.gradprobe.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradprobe.check.CheckOptions;
import org.gradprobe.check.CheckResult;
import org.gradprobe.check.ModelCheck;
import org.gradprobe.check.OpRegistry;
import org.gradprobe.io.Json;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.train.MemoryEstimate;
import org.gradprobe.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** gradprobe check: every backward rule against finite differences. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check analytic gradients against central finite differences: every built-in op (--ops), or a model from a spec "
                + "against a mean loss (--loss) on a random batch and random targets (every parameter, the input, and the input of every layer).",
            "Modes: full (every Jacobian entry), sampled (16 coordinates per tensor), fast (random directions, as PyTorch's fast "
                + "gradcheck; on failure, coordinates of the failing tensor are listed). Points within eps of a kink (ReLU at 0, max-pool "
                + "ties) are skipped and counted. Exit code 0 when all pass, 1 when any fails."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Option(names = "--ops", description = "Check every built-in op.")
    boolean ops;

    @Option(names = {"-m", "--model"}, paramLabel = "SPEC", converter = Converters.NonEmpty.class, description = "Check this network.")
    String model;

    @Option(names = "--input", paramLabel = "CxHxW", description = "Per-sample input shape (default: the built-in's).")
    String input;

    @Option(names = "--layer", paramLabel = "NAME", converter = Converters.NonEmpty.class, description = "With --model: check only this layer (its input and parameters).")
    String layer;

    @Option(names = "--loss", paramLabel = "cross-entropy|mse|bce-logits", converter = Converters.LossConverter.class,
            description = "With --model: the loss the model is checked against, on random class indices (cross-entropy; per token for "
                    + "outputs [T, C]) or random values shaped as the output (mse: normal, bce-logits: uniform in [0, 1)) (default: cross-entropy).")
    Loss loss;

    @Option(names = "--mode", paramLabel = "full|sampled|fast", description = "Default: full for --ops, fast for a model.")
    String mode;

    @Option(names = "--dtype", paramLabel = "float64|float32", defaultValue = "float64", converter = Converters.DTypeConverter.class,
            description = "Precision (default: ${DEFAULT-VALUE}; float32 uses tolerances made for it).")
    DType dtype;

    @Option(names = "--batch", defaultValue = "2", converter = Converters.PositiveInt.class, description = "Batch size of the random batch for a model (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (ops == (model != null)) throw new UsageException("give either --ops or --model SPEC");
        if (layer != null && model == null) throw new UsageException("--layer needs --model SPEC");
        if (ops) OptionRules.refuse(commandSpec, "applies to --model SPEC, not to --ops", "--input", "--batch", "--loss");
        if (layer != null) OptionRules.refuse(commandSpec, "does not apply with --layer (a layer alone is checked without a loss)", "--loss");
        CheckOptions.Mode m;
        String md = mode != null ? mode : ops ? "full" : "fast";
        try {
            m = CheckOptions.Mode.valueOf(md.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid --mode: '" + md + "' (expected full, sampled or fast)");
        }
        CheckOptions o = CheckOptions.of(m, dtype, seed);
        List<CheckResult> results = new ArrayList<>();
        if (ops) {
            for (OpRegistry.OpCase c : OpRegistry.cases()) results.add(OpRegistry.check(c, o));
        } else {
            int[] in = Converters.dims("--input", input);
            MemoryCheck.require("check", ModelSpec.plan(model, in), dtype, new MemoryEstimate.Job(batch, 0, true, 0, false, 0), "--batch", 0);
            Model net = ModelSpec.build(model, in, dtype, Init.pytorchDefault(), seed);
            if (layer != null) {
                try {
                    results.add(ModelCheck.checkLayer(net, layer, batch, o));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--layer: " + e.getMessage());
                }
            } else {
                results.addAll(ModelCheck.check(net, batch, o, loss != null ? loss : Loss.CROSS_ENTROPY));
            }
        }
        boolean ok = results.stream().allMatch(CheckResult::passed);
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("passed", ok);
            List<Object> rs = new ArrayList<>();
            for (CheckResult r : results) rs.add(r.toJson());
            all.put("checks", rs);
            System.out.println(Json.write(all));
        } else {
            for (CheckResult r : results) System.out.print(r.report());
            long failed = results.stream().filter(r -> !r.passed()).count();
            System.out.printf("%d passed, %d failed%n", results.size() - failed, failed);
        }
        return ok ? 0 : 1;
    }
}
