package org.gradprobe.train;

import org.gradprobe.autograd.GradMode;
import org.gradprobe.data.Batches;
import org.gradprobe.data.Dataset;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.Tensor;

/** Accuracy, mean loss and the confusion matrix of a model on a data set, in eval mode, without a graph. */
public record Evaluation(int samples, double loss, double accuracy, int[][] confusion) {

    public static Evaluation run(Model model, Dataset data, int batchSize, double mean, double std) {
        int classes = data.classes();
        int[][] confusion = new int[classes][classes];
        double lossSum = 0;
        int correct = 0;
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Batches.Batch b : new Batches(data, batchSize, null, mean, std, model.dtype(), model.inputShape())) {
                Tensor logits = model.forward(b.input(), ForwardContext.eval());
                lossSum += F.crossEntropy(logits, b.targets()).item() * b.targets().length;
                int c = logits.dim(1);
                for (int i = 0; i < b.targets().length; i++) {
                    int best = 0;
                    for (int j = 1; j < c; j++) if (logits.get(i * c + j) > logits.get(i * c + best)) best = j;
                    if (best == b.targets()[i]) correct++;
                    if (best < classes) confusion[b.targets()[i]][best]++;
                }
            }
        }
        int n = data.size();
        return new Evaluation(n, lossSum / n, (double) correct / n, confusion);
    }
}
