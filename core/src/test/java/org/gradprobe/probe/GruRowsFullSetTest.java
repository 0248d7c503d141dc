package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.optim.Adam;
import org.gradprobe.tensor.DType;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * A GRU reading Fashion-MNIST images as 28 rows of 28 pixels, one epoch of the full set (Debian's
 * dataset-fashion-mnist, which .ci/run installs): healthy at the probe's default interval, and at least
 * 80% test accuracy.
 */
class GruRowsFullSetTest {
    @Test
    void oneEpochIsHealthyAndReachesEightyPercent() {
        assumeTrue(Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz")), "Debian's dataset-fashion-mnist");
        FashionMnist.Split data = FashionMnist.load(null);
        Model model = ModelSpec.build("gru(128) last linear(10)", new int[] {28, 28}, DType.FLOAT32, Init.pytorchDefault(), 0);
        Trainer.Settings settings = Trainer.Settings.defaults().withBatchSize(64).withEpochs(1);
        Diagnosis d = Diagnosis.run(model, new Adam(model.parameters(), 0.003), data.train(), settings, ProbeConfig.defaults());
        assertTrue(d.healthy(), Zoo.summary(d));
        Evaluation e = Evaluation.run(model, data.test(), 256, 0.5, 0.5, Loss.CROSS_ENTROPY);
        assertTrue(e.accuracy() >= 0.80, "test accuracy " + e.accuracy());
    }
}
