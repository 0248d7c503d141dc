package org.gradprobe.train;

import org.gradprobe.autograd.GradMode;
import org.gradprobe.data.Batches;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.StepMemory;
import org.gradprobe.tensor.Tensor;

/**
 * Mean loss, accuracy and the confusion matrix of a model on a data set, in eval mode, without a graph.
 * With class targets the accuracy counts one prediction (the arg-max of the output's last dimension) a
 * class index: a sample's for outputs [N, C], a token's for [N, T, C] against [N, T]. With values
 * (mse, bce-logits) there is no accuracy: only the loss.
 *
 * @param samples     samples evaluated (images, sequences)
 * @param predictions predictions the accuracy counts (N, or N·T tokens); 0 when the targets are values
 * @param loss        the mean loss, weighted as in training (over samples, or over tokens)
 * @param accuracy    the fraction of predictions that were right; NaN when there are none ({@link #hasAccuracy()})
 * @param confusion   [true class][predicted class] counts over the set's classes; [0][0] for values
 */
public record Evaluation(int samples, long predictions, double loss, double accuracy, int[][] confusion) {

    /** Whether the targets were classes, so that there is an accuracy. */
    public boolean hasAccuracy() {
        return predictions > 0;
    }

    /** Evaluates {@code model} on {@code data} (images normalized as (x/255 − mean) / std) in batches of {@code batchSize}, measuring {@code loss}. */
    public static Evaluation run(Model model, SampleSet data, int batchSize, double mean, double std, Loss loss) {
        int classes = data.classes();
        int[][] confusion = new int[classes][classes];
        double[] sums = new double[3];    // summed loss, correct answers, loss weight (samples or tokens)
        long predictions = 0;
        // each batch reuses the last one's large arrays
        StepMemory memory = new StepMemory();
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Batches.Batch b : new Batches(data, batchSize, null, mean, std, model.dtype(), model.inputShape())) {
                try (StepMemory.Scope open = memory.open()) {
                    predictions += count(model.forward(b.input(), ForwardContext.eval()), b.targets(), loss, classes, confusion, sums);
                }
            }
        }
        double accuracy = predictions > 0 ? sums[1] / predictions : Double.NaN;
        return new Evaluation(data.size(), predictions, sums[0] / sums[2], accuracy, predictions > 0 ? confusion : new int[0][0]);
    }

    /**
     * Adds a batch's summed loss, its weight and its correct answers into {@code sums}, and its answers into
     * the confusion matrix; returns how many predictions it counted (0 for value targets).
     */
    private static long count(Tensor out, Targets targets, Loss loss, int classes, int[][] confusion, double[] sums) {
        double value = loss.compute(out, targets).item();
        if (!(targets instanceof Targets.Classes t)) {
            // a mean over the batch's elements, as many for every sample
            sums[0] += value * targets.samples();
            sums[2] += targets.samples();
            return 0;
        }
        int[] labels = t.labels();
        sums[0] += value * labels.length;
        sums[2] += labels.length;
        int c = out.dim(out.rank() - 1);
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) if (out.get(i * c + j) > out.get(i * c + best)) best = j;
            if (best == labels[i]) sums[1]++;
            if (best < classes && labels[i] < classes) confusion[labels[i]][best]++;
        }
        return labels.length;
    }
}
