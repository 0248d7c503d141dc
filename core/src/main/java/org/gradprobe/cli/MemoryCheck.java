package org.gradprobe.cli;

import java.lang.management.ManagementFactory;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.tensor.DType;
import org.gradprobe.train.MemoryEstimate;
import org.gradprobe.train.MemoryEstimate.Kind;

/**
 * Refuses, before anything is allocated, a job whose {@link MemoryEstimate} does not fit the JVM's
 * maximum heap: one line naming the layer or option that needs the most, what to lower, and how to
 * give Java more memory. The sizes are the user's choice, so this is a usage error (exit 2).
 */
final class MemoryCheck {
    private MemoryCheck() {}

    /** What the JVM itself, the probe's records and the reports take besides the model, about. */
    static final long BASELINE = 64L << 20;

    /**
     * Checks {@code job} on {@code plan} against the JVM's maximum heap. {@code batchOption} names the option that sets the batch
     * ("--batch"); {@code held} is what is already on the heap for the job (the data set's pixels).
     */
    static MemoryEstimate require(String command, ModelSpec.Plan plan, DType dtype, MemoryEstimate.Job job, String batchOption, long held) {
        return require(command, plan, dtype, job, job.batch(), batchOption, held, Runtime.getRuntime().maxMemory());
    }

    /**
     * As above; {@code requested} is the batch the user asked for, which must make tensors that fit
     * even where the job takes fewer samples a step (a batch larger than the data set).
     */
    static MemoryEstimate require(String command, ModelSpec.Plan plan, DType dtype, MemoryEstimate.Job job, int requested, String batchOption,
                                  long held, long maxHeap) {
        MemoryEstimate e;
        try {
            MemoryEstimate.checkBatch(plan, requested);
            e = MemoryEstimate.of(plan, dtype, job);
        } catch (MemoryEstimate.BatchOverflowException x) {
            throw new UsageException(batchOption + " " + x.batch() + ": " + x.getMessage() + "; lower " + batchOption);
        }
        long need = e.total() + held + BASELINE;
        if (need <= maxHeap) return e;
        MemoryEstimate.Part top = e.dominant();
        String most = top.kind() == Kind.PARAMETERS
                ? "the parameters with their gradients" + (job.optimizerState() > 0 ? " and optimizer state" : "") + ", "
                        + MemoryEstimate.human(e.total(Kind.PARAMETERS)) + ", most in " + top.layer().where() + " ("
                        + MemoryEstimate.human(top.bytes()) + "): make that layer smaller"
                : "one step's activations at " + batchOption + " " + job.batch() + ", " + MemoryEstimate.human(e.total(Kind.ACTIVATIONS))
                        + ", most in " + top.layer().where() + " (" + MemoryEstimate.human(top.bytes()) + "): lower " + batchOption;
        long physical = physicalMemory();
        String more = physical > 0 && need > physical * 0.9
                ? " (this machine has " + MemoryEstimate.human(physical) + ")"
                : ", or give Java more memory: GRADPROBE_JAVA_OPTS=-Xmx" + (long) Math.ceil(need * 1.25 / (1L << 30)) + "g";
        throw new UsageException(command + " needs about " + MemoryEstimate.human(need) + " of memory and Java may use "
                + MemoryEstimate.human(maxHeap) + "; " + most + more);
    }

    /** The machine's memory in bytes, or -1 when the JVM does not say. */
    static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
        return -1;
    }

    /** Float64 values of optimizer state per parameter element, as each torch.optim update keeps them. */
    static int optimizerState(OptimizerOptions o) {
        return switch (o.optimizer) {
            case "adam", "adamw" -> 2;                                      // exp_avg, exp_avg_sq
            case "rmsprop" -> 1 + (o.centered ? 1 : 0) + (o.momentum() > 0 ? 1 : 0);   // square_avg, grad_avg, momentum_buffer
            default -> o.momentum() > 0 ? 1 : 0;                            // momentum_buffer
        };
    }
}
