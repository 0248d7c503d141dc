package org.gradprobe.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.data.FashionMnist;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.optim.Sgd;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed recipe (seed-cnn, SGD lr 0.001 momentum 0.9, batch 4, mean cross-entropy, the bundled
 * subset) for 200 steps gives, bit for bit, the losses and final weights in
 * {@code src/test/resources/reference/seed_recipe_200_<dtype>.safetensors}. Those files were written by
 * {@link #main} from commit f4126a9, before the engine's redesign (issue 17), so that no refactoring
 * can change a single bit of what training computes, with the probe off or recording every step.
 * Regenerate only for a change that is meant to alter the numbers, and say so in its commit.
 */
class SeedRecipeReferenceTest {
    static final int STEPS = 200;

    record Run(double[] losses, Map<String, Tensor> weights) {}

    static Run run(DType dtype, boolean probed) {
        FashionMnist.Split data = FashionMnist.bundled();
        Model model = ModelSpec.build("seed-cnn", null, dtype, Init.pytorchDefault(), 0);
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), 0.001, 0.9),
                Trainer.Settings.defaults().withLimit(4 * STEPS).withEvalBatch(250));
        if (probed) Probe.attach(trainer, ProbeConfig.defaults().withEvery(1));
        List<Double> losses = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(int epoch, long step, int batch, int batches, double loss, int images) {
                losses.add(loss);
            }
        });
        trainer.fit(data.train(), null);
        double[] l = losses.stream().mapToDouble(Double::doubleValue).toArray();
        return new Run(l, new LinkedHashMap<>(model.parameters()));
    }

    static Path file(DType dtype) {
        return Path.of("src/test/resources/reference/seed_recipe_200_" + (dtype == DType.FLOAT32 ? "f32" : "f64") + ".safetensors");
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32, false", "FLOAT32, true", "FLOAT64, false", "FLOAT64, true"})
    void lossesAndFinalWeightsAreBitIdenticalToThePreRedesignEngine(DType dtype, boolean probed) {
        SafeTensors.Contents ref = SafeTensors.read(file(dtype));
        Run run = run(dtype, probed);
        assertEquals(STEPS, run.losses().length);
        assertArrayEquals(ref.require("losses").toTensor(ref.file()).doubles(), run.losses(), 0.0, "losses");
        for (Map.Entry<String, Tensor> e : run.weights().entrySet()) {
            Tensor want = ref.require("weight." + e.getKey()).toTensor(ref.file());
            assertEquals(dtype, want.dtype, e.getKey());
            assertArrayEquals(want.doubles(), e.getValue().doubles(), 0.0, e.getKey());
        }
        assertEquals(run.weights().size() + 1, ref.entries().size(), "parameters in the reference");
    }

    /** Writes the reference files (run from the project root with the test classpath). */
    public static void main(String[] args) {
        for (DType dtype : DType.values()) {
            Run run = run(dtype, false);
            SafeTensors.Writer w = new SafeTensors.Writer().put("losses", Tensor.wrap(run.losses(), STEPS));
            run.weights().forEach((name, t) -> w.put("weight." + name, t));
            w.metadata("written_by", "SeedRecipeReferenceTest.main").write(file(dtype));
        }
    }
}
