package org.gradprobe.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradprobe.nn.ModelSpec;
import org.gradprobe.tensor.DType;
import org.gradprobe.train.MemoryEstimate;
import org.junit.jupiter.api.Test;

class MemoryCheckTest {
    private static final ModelSpec.Plan SEED = ModelSpec.plan("seed-cnn", null);

    @Test
    void theSeedRecipeFitsASmallHeap() {
        MemoryCheck.require("train", SEED, DType.FLOAT32, MemoryEstimate.Job.training(4, 60000, 1, true, 256), 4, "--batch", 60000 * 784 + 10000 * 784,
                512L << 20);
    }

    @Test
    void aBatchTooLargeForTheHeapSaysWhatToLowerAndHowToGiveMore() {
        String m = assertThrows(UsageException.class, () -> MemoryCheck.require("train", SEED, DType.FLOAT32,
                MemoryEstimate.Job.training(10000, 60000, 1, true, 256), 10000, "--batch", 0, 1L << 30)).getMessage();
        assertTrue(m.startsWith("train needs about") && m.contains("activations at --batch 10000") && m.contains("layer conv2")
                && m.contains("lower --batch") && m.contains("GRADPROBE_JAVA_OPTS=-Xmx"), m);
    }

    @Test
    void weightsTooLargeForTheHeapNameTheLayer() {
        ModelSpec.Plan plan = ModelSpec.plan("flatten wide=linear(200000) linear(10)", new int[] {1, 28, 28});
        String m = assertThrows(UsageException.class, () -> MemoryCheck.require("train", plan, DType.FLOAT32,
                MemoryEstimate.Job.training(4, 60000, 2, true, 256), 4, "--batch", 0, 1L << 30)).getMessage();
        assertTrue(m.contains("optimizer state") && m.contains("layer wide (wide=linear(200000))") && m.contains("make that layer smaller"), m);
    }
}
