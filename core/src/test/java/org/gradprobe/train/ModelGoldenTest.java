package org.gradprobe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.gradprobe.Golden;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole models against PyTorch: the loss, every parameter gradient, every layer output and the gradient
 * at every layer output, through the same code path as {@code gradprobe grads}; against cross-entropy,
 * and (the {@code mlp_mse}, {@code mlp_bce} files) against mse and bce-logits with float targets read
 * from the batch file.
 */
class ModelGoldenTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "seed_cnn_f64", "seed_cnn_f32", "seed_cnn_cifar_f64", "mixed_f64", "mixed_f32", "mixed_eval_f64", "mixed_eval_f32",
        "resmlp_f64", "resmlp_f32", "mlp_mse_f64", "mlp_mse_f32", "mlp_bce_f64", "mlp_bce_f32",
        "seq_lstm_f64", "seq_lstm_f32", "seq_gru_f64", "seq_gru_f32", "seq_rnn_f64", "seq_rnn_f32"
    })
    void everyParamNodeAndValueMatchesPyTorch(String stem) throws Exception {
        SafeTensors.Contents expected = Golden.load(stem + ".grads.safetensors");
        Map<String, String> meta = expected.metadata();
        DType dt = stem.endsWith("f32") ? DType.FLOAT32 : DType.FLOAT64;
        int[] input = Shapes.parseDims(meta.get("input"));
        Model model = GradsJob.loadModel(meta.get("spec"), input, Golden.path(stem + ".weights.safetensors"), dt);
        Loss loss = Loss.parse(meta.getOrDefault("loss", "cross-entropy"));
        GradsJob.Batch batch = GradsJob.loadBatch(Golden.path(stem + ".batch.safetensors"), dt, input, model.outputShape(), loss);
        boolean training = meta.get("mode").equals("train");
        Path out = tmp.resolve("g.safetensors");
        GradsJob.run(model, batch, training, loss).write(out);
        assertEquals(loss.key(), SafeTensors.read(out).metadata().get("loss"), "the loss named in the output's metadata");

        SafeTensors.Contents actual = SafeTensors.read(out);
        assertEquals(expected.entries().keySet(), actual.entries().keySet(), "same entries as PyTorch");
        // scale floor per kind (param., node., value.): 1e-3 of the largest entry of that kind in the model
        Map<String, Double> kindScale = new java.util.HashMap<>();
        for (String name : expected.entries().keySet()) {
            kindScale.merge(kind(name), Golden.maxAbs(expected.require(name).toTensor("expected")), Math::max);
        }
        for (String name : expected.entries().keySet()) {
            Tensor e = expected.require(name).toTensor("expected");
            Tensor a = actual.require(name).toTensor("actual");
            Golden.assertClose(stem + " " + name, a, e, Golden.tol(dt), 1e-3 * kindScale.get(kind(name)));
        }
        String after = stem + ".after.safetensors";
        if (ModelGoldenTest.class.getResource("/golden/" + after) != null) {
            for (Map.Entry<String, Tensor> e : Golden.load(after).floatTensors().entrySet()) {
                Golden.assertClose(stem + " " + e.getKey() + " after the step", model.stateDict().get(e.getKey()), e.getValue(), Golden.tol(dt));
            }
        }
        Files.delete(out);
    }

    private static String kind(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
