package org.gradprobe.cli;

import java.util.concurrent.Callable;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.Builtins;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.train.MemoryEstimate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** gradprobe models: the built-in networks and the spec language, or the layers of one network. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the built-in networks and the spec language; with a SPEC, show its layers, shapes and parameters.")
final class ModelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Parameters(arity = "0..1", paramLabel = "SPEC", description = "A built-in name or a spec to describe.")
    String spec;

    @Mixin ModelOptions modelOptions;

    @Override
    public Integer call() {
        if (spec != null && OptionRules.given(commandSpec, "--model")) {
            throw new UsageException("give the network once: as SPEC ('" + spec + "') or as --model, not both");
        }
        if (spec == null && OptionRules.given(commandSpec, "--model")) spec = modelOptions.model;
        if (spec == null) OptionRules.refuse(commandSpec, "describes a network: give its SPEC too", "--input", "--dtype", "--init", "--bias-init", "--seed");
        if (spec != null) {
            modelOptions.model = spec;
            MemoryCheck.require("models", modelOptions.plan(null), modelOptions.dtype, MemoryEstimate.Job.forward(0), "--batch", 0);
            Model m = modelOptions.build(null);
            System.out.println(m.spec());
            System.out.print(m.summary());
            return 0;
        }
        System.out.println("Built-in networks:");
        for (Builtins.Builtin b : Builtins.builtins()) {
            System.out.printf("  %-26s %s (input %s)%n", b.usage(), b.description(), org.gradprobe.tensor.Shapes.dims(b.defaultInput()));
        }
        System.out.println();
        System.out.println("Spec language:  SPEC := LAYER (' ' LAYER)*    LAYER := [NAME '='] KIND ['(' ARGS ')']");
        System.out.println("  conv2d(out, k[, stride=1][, padding=0][, bias=true])   maxpool2d(k[, stride=k])   avgpool2d(k[, stride=k])");
        System.out.println("  linear(out[, bias=true])   relu   leakyrelu(slope=0.01)   sigmoid   tanh   gelu");
        System.out.println("  batchnorm   dropout(p)   flatten   residual(SPEC)");
        System.out.println("Sequences [T, D] (--input TxD; --input T: token ids for an embedding first), batch first as PyTorch's:");
        System.out.println("  embedding(num, dim)   rnn(hidden[, nonlinearity=tanh|relu])   lstm(hidden)   gru(hidden)   last   meanpool");
        System.out.println("  rnn, lstm and gru take [layers=1][, bias=true]; parameters <layer>.weight_ih_l0, .weight_hh_l0, .bias_ih_l0, .bias_hh_l0;");
        System.out.println("  linear on [T, D] acts on each step. Example: gradprobe models \"gru(128) last linear(10)\" --input 28x28");
        System.out.println("Unnamed layers are named by position (0, 1, …), layers inside residual <i>.<j>; parameters <layer>.weight, <layer>.bias.");
        System.out.println("Example: gradprobe models \"conv2d(8,3,padding=1) batchnorm relu maxpool2d(2) flatten linear(10)\" --input 1x28x28");
        return 0;
    }
}
