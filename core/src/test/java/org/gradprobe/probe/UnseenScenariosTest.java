package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The detectors on networks the zoo does not hold (other depths, widths, activations, inits,
 * optimizers (SGD, Adam, AdamW, RMSprop), learning rates and layer kinds), so that the thresholds are not tuned to the zoo alone:
 * each gives its expected verdicts, and the healthy ones raise nothing.
 */
class UnseenScenariosTest {
    private static final Set<Verdict> NONE = Set.of();

    private static Zoo.Scenario healthy(String spec, String init, String optimizer, double lr) {
        return new Zoo.Scenario(spec + " " + init + " " + optimizer + " lr " + lr, "", spec, init, null, optimizer, lr, 32, 100, NONE, NONE);
    }

    private static Zoo.Scenario sick(String spec, String init, Double bias, String optimizer, double lr, Verdict expect, boolean early) {
        return new Zoo.Scenario(spec + " " + init + (bias == null ? "" : " bias " + bias) + " " + optimizer + " lr " + lr + ": " + expect, "",
                spec, init, bias, optimizer, lr, 32, 80, Set.of(expect), early ? Set.of(expect) : NONE);
    }

    static Stream<Zoo.Scenario> scenarios() {
        String lenet = "conv2d(6,5,padding=2) relu maxpool2d(2) conv2d(16,5) relu maxpool2d(2) flatten linear(120) relu linear(84) relu linear(10)";
        return Stream.of(
                healthy("mlp(3,128,relu)", "he-normal", "sgd", 0.01),
                healthy("mlp(4,64,tanh)", "default", "sgd", 0.01),
                healthy("mlp(2,256,relu)", "default", "adam", 1e-3),
                healthy("mlp(3,64,gelu)", "default", "adam", 1e-3),
                healthy("mlp(8,64,leakyrelu)", "he-normal", "sgd", 0.01),
                healthy("mlp-bn(12,64,tanh)", "default", "sgd", 0.01),
                healthy("mlp-bn(8,32,sigmoid)", "default", "sgd", 0.01),
                healthy("resmlp(12,64,relu)", "default", "sgd", 0.01),
                healthy(lenet, "default", "adam", 1e-3),
                healthy("conv2d(8,5) tanh avgpool2d(2) conv2d(16,5) tanh avgpool2d(2) flatten linear(64) tanh linear(10)", "default", "sgd", 0.01),
                healthy("flatten linear(256) relu dropout(0.5) linear(128) relu dropout(0.5) linear(10)", "default", "sgd", 0.01),
                healthy("mlp(3,128,relu)", "default", "rmsprop", 1e-3),
                healthy("seed-cnn", "default", "adamw", 1e-3),
                sick("mlp(10,64,sigmoid)", "default", null, "rmsprop", 1e-3, Verdict.VANISHING, true),
                sick("mlp(8,64,relu)", "he-normal*4", null, "adamw", 1e-7, Verdict.EXPLODING, true),
                sick("mlp(4,64,relu)", "default", -3.0, "rmsprop", 1e-3, Verdict.DEAD, false),
                sick("mlp(3,64,relu)", "default", null, "rmsprop", 10, Verdict.EXPLODING, false),
                sick("mlp(15,32,sigmoid)", "default", null, "sgd", 0.01, Verdict.VANISHING, true),
                sick("mlp(8,128,sigmoid)", "default", null, "adam", 1e-3, Verdict.VANISHING, true),
                sick("mlp(10,64,tanh)", "normal(0.01)", null, "sgd", 0.01, Verdict.VANISHING, true),
                sick("mlp(20,64,relu)", "default", null, "sgd", 0.01, Verdict.VANISHING, true),
                sick("mlp(6,32,relu)", "he-normal*6", null, "sgd", 1e-9, Verdict.EXPLODING, true),
                sick("mlp(10,128,relu)", "normal(1.0)", null, "sgd", 1e-9, Verdict.EXPLODING, true),
                sick("mlp(6,64,relu)", "he-normal*3", null, "sgd", 1e-9, Verdict.EXPLODING, true),
                sick("mlp(10,64,relu)", "he-normal*2", null, "sgd", 1e-9, Verdict.EXPLODING, true),
                // overflows at its third step: the two steps recorded before it still explain it
                sick("mlp(8,64,relu)", "he-normal*3", null, "sgd", 0.01, Verdict.EXPLODING, true),
                sick("mlp(8,64,relu)", "he-normal*3", null, "sgd", 0.01, Verdict.DIVERGING, false),
                sick("mlp(6,64,leakyrelu)", "he-normal*5", null, "sgd", 1e-9, Verdict.EXPLODING, true),
                sick("resmlp(10,64,relu)", "he-normal*3", null, "sgd", 1e-9, Verdict.EXPLODING, true),
                sick("mlp(6,64,tanh)", "normal(2.0)", null, "sgd", 0.01, Verdict.SATURATED, true),
                sick("mlp(5,64,sigmoid)", "normal(3.0)", null, "sgd", 0.01, Verdict.SATURATED, true),
                sick("mlp(4,64,tanh)", "default", null, "sgd", 50, Verdict.SATURATED, false),
                sick("mlp(3,128,relu)", "default", -5.0, "adam", 1e-3, Verdict.DEAD, false),
                sick("conv2d(16,3) relu maxpool2d(2) conv2d(16,3) relu flatten linear(10)", "default", -3.0, "adam", 1e-3, Verdict.DEAD, false),
                sick("seed-cnn", "default", null, "sgd", 10, Verdict.DIVERGING, false),
                sick("mlp(3,64,relu)", "default", null, "sgd", 100, Verdict.NONFINITE, false),
                sick("mlp(4,64,relu)", "default", null, "sgd", 1e-9, Verdict.UPDATE_RATIO, false),
                // sequences: other lengths, widths, cells, readouts, inits, optimizers and data than the zoo's
                sequence("rnn(32) last linear(1)", Zoo.Data.ADDING, new int[] {60, 2}, "default", null, "sgd", 0.01,
                        Set.of(Verdict.VANISHING_THROUGH_TIME)),
                sequence("rnn(32,nonlinearity=relu) last linear(1)", Zoo.Data.ADDING, new int[] {40, 2}, "identity*1.5", null, "sgd", 0.001,
                        Set.of(Verdict.EXPLODING_THROUGH_TIME, Verdict.NONFINITE)),
                sequence("gru(48) meanpool linear(10)", Zoo.Data.FASHION, new int[] {28, 28}, "default", null, "rmsprop", 1e-3, NONE),
                sequence("lstm(32,layers=2) last linear(10)", Zoo.Data.FASHION, new int[] {28, 28}, "default", null, "adam", 3e-3, NONE),
                sequence("gru(16) last linear(1)", Zoo.Data.ADDING, new int[] {20, 2}, "default", null, "adam", 0.01, NONE),
                sequence("embedding(64,16) gru(64) linear(64)", Zoo.Data.TEXT, new int[] {32}, "default", null, "adam", 3e-3, NONE),
                // IRNN (Le et al., 2015): the remedy the advice names keeps a relu RNN on 28 rows healthy
                sequence("rnn(64,nonlinearity=relu) last linear(10)", Zoo.Data.FASHION, new int[] {28, 28}, "identity", 0.0, "sgd", 1e-3, NONE));
    }

    private static Zoo.Scenario sequence(String spec, Zoo.Data data, int[] input, String init, Double bias, String optimizer, double lr,
                                         Set<Verdict> expect) {
        return new Zoo.Scenario(spec + " on " + data + " " + org.gradprobe.tensor.Shapes.dims(input) + " " + init + " " + optimizer + " lr " + lr
                + (expect.isEmpty() ? "" : ": " + expect), "", spec, init, bias, optimizer, lr, 32, 100, expect, NONE, data, input, Double.NaN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void givesItsExpectedVerdicts(Zoo.Scenario s) {
        List<String> problems = Zoo.check(s, Zoo.run(s, 0));
        assertTrue(problems.isEmpty(), s.name() + ": " + problems);
    }

    @Test
    void aNetworkThatFitsItsDataIsNotVanishing() {
        // the CIFAR-shaped seed CNN learns the synthetic images almost perfectly: every gradient becomes tiny
        // (conv1's RMS far below 1e-7), but no smaller next to the output's than at the start
        int[] in = {3, 32, 32};
        org.gradprobe.nn.Model model = org.gradprobe.nn.ModelSpec.build("seed-cnn-cifar", in, org.gradprobe.tensor.DType.FLOAT32,
                org.gradprobe.nn.Init.pytorchDefault(), 0);
        Diagnosis d = Diagnosis.run(model, new org.gradprobe.optim.Adam(model.parameters(), 1e-3), org.gradprobe.data.Synthetic.make(in, 2048, 10, 0),
                org.gradprobe.train.Trainer.Settings.defaults().withSteps(100).withBatchSize(32), ProbeConfig.defaults().withEvery(1));
        assertTrue(d.loss().last() < 0.01, "it fits: " + d.loss());
        LayerVerdict conv1 = d.layers().get(0);
        assertTrue(conv1.evidence().gradRms() < 1e-7, conv1.evidence().toJson().toString());
        assertTrue(d.healthy(), Zoo.summary(d));
    }

    @Test
    void layersBeforeADeadReluAreToldToFixItFirst() {
        Zoo.Scenario s = sick("mlp(3,64,relu)", "default", -5.0, "sgd", 0.01, Verdict.DEAD, false);
        Diagnosis d = Zoo.run(s, 0);
        List<LayerVerdict> layers = d.layers();
        int lastDead = -1;
        for (int i = 0; i < layers.size(); i++) if (layers.get(i).verdicts().contains(Verdict.DEAD)) lastDead = i;
        assertTrue(lastDead > 0, Zoo.summary(d));
        String deadName = layers.get(lastDead).name();
        int told = 0;
        for (int i = 0; i < lastDead; i++) {
            LayerVerdict v = layers.get(i);
            if (!v.verdicts().contains(Verdict.VANISHING)) continue;
            assertEquals(deadName, v.evidence().cutOffBy(), v.name());
            assertTrue(v.advice().stream().anyMatch(a -> a.text().contains("dead ReLU layer " + deadName)), v.advice().toString());
            told++;
        }
        assertTrue(told > 0, "some layer before the dead one vanishes: " + Zoo.summary(d));
        for (int i = lastDead; i < layers.size(); i++) assertTrue(layers.get(i).evidence().cutOffBy() == null, layers.get(i).name());
    }
}
