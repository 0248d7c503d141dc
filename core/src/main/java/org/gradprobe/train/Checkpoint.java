package org.gradprobe.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /**
     * Loads values into {@code model}. Names, dtypes and shapes are checked against the header first,
     * then the tensors are read one at a time into the model's own (so memory beyond the model's is one
     * tensor). Every error names the file.
     */
    public static void load(Model model, Path path) {
        SafeTensors.Contents c = SafeTensors.read(path);
        Map<String, Tensor> mine = model.stateDict();
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>();
        for (String k : mine.keySet()) if (!c.entries().containsKey(k)) missing.add(k);
        for (String k : c.entries().keySet()) if (!mine.containsKey(k) && !k.endsWith(".num_batches_tracked")) extra.add(k);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(path + ": weights do not fit the model " + model.spec() + ": "
                    + (missing.isEmpty() ? "" : "missing " + missing) + (missing.isEmpty() || extra.isEmpty() ? "" : ", ")
                    + (extra.isEmpty() ? "" : "unexpected " + extra));
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            SafeTensors.Entry stored = c.entries().get(e.getKey());
            if (!stored.dtype().equals("F32") && !stored.dtype().equals("F64")) {
                throw new IllegalArgumentException(path + ": tensor '" + e.getKey() + "' has dtype " + stored.dtype()
                        + ", gradprobe reads weights in F32 or F64 (in PyTorch: t.float())");
            }
            if (!Arrays.equals(stored.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(path + ": weight " + e.getKey() + " has shape " + Shapes.str(stored.shape())
                        + ", the model " + model.spec() + " needs " + Shapes.str(e.getValue().shape()));
            }
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) e.getValue().copyFrom(c.entries().get(e.getKey()).toTensor());
        for (Map.Entry<String, BatchNorm> e : model.batchNorms().entrySet()) {
            SafeTensors.Entry n = c.entries().get(e.getKey() + ".num_batches_tracked");
            if (n == null) continue;
            long[] v = n.shape().length == 0 ? n.toLongs() : null;
            if (v == null || v[0] < 0) {
                throw new IllegalArgumentException(path + ": " + n.name() + (v == null ? " has shape " + Shapes.str(n.shape()) : " is " + v[0])
                        + ", expected one count >= 0");
            }
            e.getValue().setBatchesTracked(v[0]);
        }
    }
}
