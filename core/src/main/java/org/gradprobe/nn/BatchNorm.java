package org.gradprobe.nn;

import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * batchnorm: BatchNorm1d on vectors [F], BatchNorm2d on images [C,H,W], with PyTorch's defaults
 * (weight 1, bias 0, running_mean 0, running_var 1, momentum 0.1, eps 1e-5).
 */
public final class BatchNorm extends Layer {
    public static final double MOMENTUM = 0.1;
    public static final double EPS = 1e-5;
    long batchesTracked;

    BatchNorm(String name, int[] in, DType dtype) {
        super(name, "batchnorm", in, in);
        int c = in[0];
        param("weight", Tensor.full(dtype, 1.0, c));
        param("bias", Tensor.zeros(dtype, c));
        buffer("running_mean", Tensor.zeros(dtype, c));
        buffer("running_var", Tensor.full(dtype, 1.0, c));
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        if (ctx.training) batchesTracked++;
        return emit(F.batchNorm(x, params.get("weight"), params.get("bias"), buffers.get("running_mean"),
                buffers.get("running_var"), ctx.training, MOMENTUM, EPS), ctx);
    }

    /** PyTorch's num_batches_tracked. */
    public long batchesTracked() { return batchesTracked; }

    public void setBatchesTracked(long n) { batchesTracked = n; }

    @Override
    public String describe() {
        return "batchnorm";
    }
}
