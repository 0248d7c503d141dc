package org.gradprobe.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;

/** The seed recipe on the shipped subset of real Fashion-MNIST learns. */
class TrainingTest {
    @Test
    void seedRecipeLowersTheLossAndBeatsChanceByAWideMargin() {
        FashionMnist.Split data = FashionMnist.bundled();
        Model model = ModelSpec.build("seed-cnn", null, DType.FLOAT32, Init.pytorchDefault(), 0);
        Dataset test = data.test();
        Evaluation before = Evaluation.run(model, test, 250, 0.5, 0.5);
        List<Double> losses = new ArrayList<>();
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.001, 0.9),
                new Trainer.Config(1, 4, 0, 0.5, 0.5, null, null, 0, 250));
        Evaluation after = trainer.fit(data.train(), test, new Trainer.Listener() {
            @Override
            public void onStep(int epoch, long step, int batch, int batches, double loss, int images) {
                losses.add(loss);
            }
        });
        double first = mean(losses.subList(0, 100)), last = mean(losses.subList(losses.size() - 100, losses.size()));
        assertTrue(last < 0.6 * first, "running loss went from " + first + " to " + last);
        assertTrue(after.loss() < before.loss() - 1.0, "test loss " + before.loss() + " -> " + after.loss());
        assertTrue(after.accuracy() > 0.55, "test accuracy " + after.accuracy() + " (chance 0.10)");
    }

    @Test
    void clippingIsCountedWhenItActs() {
        Model model = ModelSpec.build("flatten linear(10)", new int[] {1, 28, 28}, DType.FLOAT32, Init.pytorchDefault(), 0);
        Trainer loose = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9), new Trainer.Config(1, 16, 0, 0.5, 0.5, 1e6, null, 160, 250));
        loose.fit(FashionMnist.bundled().train(), null, new Trainer.Listener() {});
        assertTrue(loose.clippedSteps() == 0, "a huge max norm never clips");
        Trainer tight = new Trainer(model, new Sgd(model.parameters(), 0.01, 0.9), new Trainer.Config(1, 16, 0, 0.5, 0.5, 1e-3, null, 160, 250));
        tight.fit(FashionMnist.bundled().train(), null, new Trainer.Listener() {});
        assertTrue(tight.clippedSteps() == tight.steps() && tight.largestClippedNorm() > 1e-3, "a tiny max norm clips every step");
    }

    private static double mean(List<Double> l) {
        double s = 0;
        for (double v : l) s += v;
        return s / l.size();
    }
}
