package org.gradprobe.train;

import java.nio.file.Path;
import java.util.Map;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.nn.BatchNorm;
import org.gradprobe.nn.Model;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * A model's state_dict in safetensors, loadable by PyTorch's {@code load_state_dict} (batch norm's
 * {@code num_batches_tracked} included as I64); the metadata records the spec and input shape, so
 * that a checkpoint alone is enough to rebuild its model.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** Writes atomically (a temporary name, then a rename). */
    public static void save(Model model, Path path, String version) {
        SafeTensors.Writer w = new SafeTensors.Writer();
        Map<String, BatchNorm> bns = model.batchNorms();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            w.put(e.getKey(), e.getValue());
            String layer = e.getKey().substring(0, e.getKey().lastIndexOf('.'));
            if (e.getKey().endsWith(".running_var") && bns.containsKey(layer)) {
                w.putLongs(layer + ".num_batches_tracked", new int[0], new long[] {bns.get(layer).batchesTracked()});
            }
        }
        w.metadata("format", "pt").metadata("gradprobe", version).metadata("spec", model.spec())
                .metadata("input", Shapes.dims(model.inputShape())).metadata("dtype", model.dtype().toString());
        w.write(path);
    }

    /** Loads values into {@code model} (names and shapes must match). */
    public static void load(Model model, Path path) {
        SafeTensors.Contents c = SafeTensors.read(path);
        try {
            model.loadStateDict(c.floatTensors());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, BatchNorm> e : model.batchNorms().entrySet()) {
            SafeTensors.Entry n = c.entries().get(e.getKey() + ".num_batches_tracked");
            if (n != null) e.getValue().setBatchesTracked(n.toLongs(path.toString())[0]);
        }
    }
}
