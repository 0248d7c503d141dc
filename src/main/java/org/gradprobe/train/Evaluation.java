package org.gradprobe.train;

import org.gradprobe.autograd.GradMode;
import org.gradprobe.data.Batches;
import org.gradprobe.data.Dataset;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.StepMemory;
import org.gradprobe.tensor.Tensor;

/** Accuracy, mean loss and the confusion matrix of a model on a data set, in eval mode, without a graph. */
public record Evaluation(int samples, double loss, double accuracy, int[][] confusion) {

    /** Evaluates {@code model} on {@code data} (normalized as (x/255 − mean) / std) in batches of {@code batchSize}, measuring {@code loss}. */
    public static Evaluation run(Model model, Dataset data, int batchSize, double mean, double std, Loss loss) {
        int classes = data.classes();
        int[][] confusion = new int[classes][classes];
        double[] sums = new double[2];    // summed loss, correct answers
        // each batch reuses the last one's large arrays
        StepMemory memory = new StepMemory();
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Batches.Batch b : new Batches(data, batchSize, null, mean, std, model.dtype(), model.inputShape())) {
                try (StepMemory.Scope open = memory.open()) {
                    count(model.forward(b.input(), ForwardContext.eval()), b.targets(), loss, classes, confusion, sums);
                }
            }
        }
        int n = data.size();
        return new Evaluation(n, sums[0] / n, sums[1] / n, confusion);
    }

    /** Adds a batch's summed loss and correct answers into {@code sums}, and its answers into the confusion matrix. */
    private static void count(Tensor logits, int[] targets, Loss loss, int classes, int[][] confusion, double[] sums) {
        sums[0] += loss.compute(logits, targets).item() * targets.length;
        int c = logits.dim(1);
        for (int i = 0; i < targets.length; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) if (logits.get(i * c + j) > logits.get(i * c + best)) best = j;
            if (best == targets[i]) sums[1]++;
            if (best < classes) confusion[targets[i]][best]++;
        }
    }
}
