package org.gradprobe.nn;

import java.util.SplittableRandom;
import org.gradprobe.ops.F;
import org.gradprobe.ops.ThroughTime;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * rnn(H[, nonlinearity=tanh|relu][, layers=L][, bias=true]), lstm(H[, layers=L][, bias=true]),
 * gru(H[, layers=L][, bias=true]): PyTorch's {@code nn.RNN}, {@code nn.LSTM}, {@code nn.GRU} with
 * {@code batch_first=True} over a sequence [T, D] (per sample), every step's hidden state out [T, H], from
 * a zero state. L layers are stacked, each reading the one below's outputs. Parameters have PyTorch's
 * names and layouts, {@code weight_ih_l{k}} [G·H, in], {@code weight_hh_l{k}} [G·H, H], {@code bias_ih_l{k}},
 * {@code bias_hh_l{k}} [G·H], in PyTorch's order, so that a checkpoint loads into the PyTorch module.
 */
public final class Recurrent extends Layer {
    final int hidden, layers;
    final boolean relu, hasBias;

    Recurrent(String name, String kind, int[] in, int hidden, int layers, boolean relu, boolean bias, Init init, DType dtype, SplittableRandom rng) {
        super(name, kind, in, new int[] {in[0], hidden});
        this.hidden = hidden;
        this.layers = layers;
        this.relu = relu;
        this.hasBias = bias;
        int gates = gates(kind);
        for (int k = 0; k < layers; k++) {
            int features = k == 0 ? in[1] : hidden;
            param("weight_ih_l" + k, init.recurrentInput(dtype, rng, gates, hidden, features));
            param("weight_hh_l" + k, init.recurrentHidden(dtype, rng, gates, hidden));
            if (bias) {
                param("bias_ih_l" + k, init.recurrentBias(dtype, rng, gates, hidden));
                param("bias_hh_l" + k, init.recurrentBias(dtype, rng, gates, hidden));
            }
        }
    }

    /** The gates a cell of {@code kind} stacks in its weights: 1 (rnn), 4 (lstm: i, f, g, o), 3 (gru: r, z, n). */
    static int gates(String kind) {
        return switch (kind) {
            case "lstm" -> 4;
            case "gru" -> 3;
            default -> 1;
        };
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        Tensor y = x;
        for (int k = 0; k < layers; k++) {
            ThroughTime sink = ctx.throughTime(name(), k);
            Tensor wih = params.get("weight_ih_l" + k), whh = params.get("weight_hh_l" + k);
            Tensor bih = params.get("bias_ih_l" + k), bhh = params.get("bias_hh_l" + k);
            y = switch (kind()) {
                case "lstm" -> F.lstm(y, wih, whh, bih, bhh, sink);
                case "gru" -> F.gru(y, wih, whh, bih, bhh, sink);
                default -> F.rnn(y, wih, whh, bih, bhh, relu, sink);
            };
        }
        return emit(y, ctx);
    }

    @Override
    public String describe() {
        return kind() + "(" + hidden + (relu ? ",nonlinearity=relu" : "") + (layers > 1 ? ",layers=" + layers : "")
                + (hasBias ? "" : ",bias=false") + ")";
    }
}
