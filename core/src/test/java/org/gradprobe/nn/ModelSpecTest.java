package org.gradprobe.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
    static Model build(String spec, int... input) {
        return ModelSpec.build(spec, input.length == 0 ? null : input, DType.FLOAT64, Init.pytorchDefault(), 0);
    }

    @Test
    void seedCnnHasPyTorchsNamesShapesAndParameterCount() {
        Model m = build("seed-cnn");
        assertEquals(225_034, m.parameterCount());
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                new ArrayList<>(m.parameters().keySet()));
        assertArrayEquals(new int[] {32, 1, 3, 3}, m.parameters().get("conv1.weight").shape());
        assertArrayEquals(new int[] {128, 1600}, m.parameters().get("fc1.weight").shape());
        Model cifar = build("seed-cnn-cifar");
        assertArrayEquals(new int[] {128, 2304}, cifar.parameters().get("fc1.weight").shape());
        assertArrayEquals(new int[] {32, 3, 3, 3}, cifar.parameters().get("conv1.weight").shape());
    }

    @Test
    void unnamedLayersTakeTheirPositionAndResidualLayersNest() {
        Model m = build("flatten a=linear(8) residual(linear(8) batchnorm relu) linear(3,bias=false)", 2, 2);
        assertEquals(List.of("a.weight", "a.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias", "3.weight"),
                new ArrayList<>(m.parameters().keySet()));
        assertTrue(m.stateDict().containsKey("2.1.running_mean") && m.stateDict().containsKey("2.1.running_var"));
        List<String> order = new ArrayList<>();
        for (Layer l : m.allLayers()) order.add(l.name());
        assertEquals(List.of("0", "a", "2.0", "2.1", "2.2", "2", "3"), order);     // forward order of the outputs
        assertEquals("flatten a=linear(8) residual(linear(8) batchnorm relu) linear(3,bias=false)", m.spec());
    }

    @Test
    void shapesAreInferredThroughStridePaddingAndPooling() {
        Model m = build("conv2d(4,3,stride=2,padding=1) avgpool2d(2,stride=1) maxpool2d(2) flatten", 3, 9, 9);
        assertArrayEquals(new int[] {4 * 2 * 2}, m.outputShape());   // 9 → 5 → 4 → 2
    }

    @Test
    void builtinMlpsExpand() {
        assertEquals("flatten linear(16) tanh linear(16) tanh linear(10)", Builtins.resolve("mlp(2,16,tanh)").spec());
        assertEquals("flatten linear(4) batchnorm relu linear(10)", Builtins.resolve("mlp-bn(1,4,relu)").spec());
        assertEquals("flatten linear(4) gelu residual(linear(4) gelu) linear(10)", Builtins.resolve("resmlp(1,4,gelu)").spec());
        assertEquals(10, build("mlp(3,32,sigmoid)").outputShape()[0]);
    }

    private static String error(String spec, int... input) {
        return assertThrows(SpecException.class, () -> build(spec, input)).getMessage();
    }

    @Test
    void badSpecsSayWhatAndWhere() {
        assertTrue(error("conv2d(32,3 relu", 1, 28, 28).contains("missing ')'"));
        assertTrue(error("conv3d(3)", 1, 28, 28).contains("unknown layer kind 'conv3d'"));
        assertTrue(error("conv2d(32)", 1, 28, 28).contains("needs argument 'k'"));
        assertTrue(error("conv2d(32,x)", 1, 28, 28).contains("k must be a positive integer, got 'x'"));
        assertTrue(error("linear(10)", 1, 28, 28).contains("add flatten"));
        assertTrue(error("relu(3)", 4).contains("takes no arguments"));
        assertTrue(error("linear(3,color=red)", 4).contains("unknown argument 'color'"));
        assertTrue(error("conv2d(4,5)", 1, 3, 3).contains("smaller than the 5x5 kernel"));
        assertTrue(error("flatten residual(linear(3))", 4).contains("same shape"));
        assertTrue(error("mlp(2,16)").contains("mlp(DEPTH,WIDTH,ACT)"));
        assertTrue(error("linear(3)").contains("needs an input shape"));
        assertTrue(error("dropout(1.5)", 4).contains("p must be in [0, 1)"));
    }

    @Test
    void initializersHaveTheirScale() {
        int fanIn = 400;
        double[][] cases = {{0, Math.sqrt(1.0 / fanIn / 3)}, {1, Math.sqrt(2.0 / fanIn)}, {2, Math.sqrt(2.0 / fanIn)}, {3, 0.05}};
        String[] names = {"default", "he-normal", "he-uniform", "normal(0.05)"};
        for (double[] c : cases) {
            Model m = ModelSpec.build("linear(300)", new int[] {fanIn}, DType.FLOAT64, Init.parse(names[(int) c[0]], 0.0), 1);
            Tensor w = m.parameters().get("0.weight");
            double ss = 0;
            for (int i = 0; i < w.numel(); i++) ss += w.get(i) * w.get(i);
            double std = Math.sqrt(ss / w.numel());
            assertEquals(c[1], std, 0.03 * c[1], names[(int) c[0]] + " std");
            assertEquals(0.0, m.parameters().get("0.bias").get(7), names[(int) c[0]] + " constant bias");
        }
        Model scaled = ModelSpec.build("linear(300)", new int[] {fanIn}, DType.FLOAT64, Init.parse("he-normal*4", null), 1);
        Model plain = ModelSpec.build("linear(300)", new int[] {fanIn}, DType.FLOAT64, Init.parse("he-normal", null), 1);
        assertEquals(4 * plain.parameters().get("0.weight").get(5), scaled.parameters().get("0.weight").get(5), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Init.parse("kaiming", null));
    }

    @Test
    void loadStateDictChecksNamesAndShapes() {
        Model m = build("flatten linear(3)", 4);
        Map<String, Tensor> sd = build("flatten linear(3)", 4).stateDict();
        m.loadStateDict(sd);
        assertArrayEquals(sd.get("1.weight").doubles(), m.parameters().get("1.weight").doubles());
        Map<String, Tensor> wrong = build("flatten linear(5)", 4).stateDict();
        String e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(wrong)).getMessage();
        assertTrue(e.contains("1.weight") && e.contains("[5, 4]") && e.contains("[3, 4]"), e);
        String missing = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(build("flatten linear(3,bias=false)", 4).stateDict()))
                .getMessage();
        assertTrue(missing.contains("missing [1.bias]"), missing);
    }

    @Test
    void convertingDtypeKeepsValues() {
        Model m = build("flatten linear(3)", 4);
        double w = m.parameters().get("1.weight").get(2);
        m.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, m.parameters().get("1.weight").dtype);
        assertEquals((float) w, m.parameters().get("1.weight").get(2));
        assertTrue(m.parameters().get("1.weight").requiresGrad());
    }

    @Test
    void duplicateLayerNamesAreRefusedNamingBoth() {
        String e = error("flatten a=linear(3) a=linear(3)", 4);
        assertTrue(e.contains("duplicate layer name 'a'") && e.contains("a=linear(3) and a=linear(3)"), e);
        String nested = error("flatten a=linear(4) residual(a=linear(4) a=relu)", 4);
        assertTrue(nested.contains("duplicate layer name '2.a'"), nested);
        build("flatten a=linear(4) residual(a=linear(4)) linear(2)", 4);    // 'a' and '2.a' differ
    }

    @Test
    void elementCountsPastAnIntNameTheLayerAndShape() {
        String w = error("linear(100000000)", 784);
        assertTrue(w.contains("layer 0 (linear(100000000))") && w.contains("weight 100000000x784"), w);
        String out = error("c=conv2d(100000,3,padding=100000)", 1, 28, 28);
        assertTrue(out.contains("layer c") && out.contains("output 100000x"), out);
        assertTrue(error("mlp(100000000,16,relu)").contains("DEPTH 100000000"));
        assertTrue(error("flatten", 100000, 100000).contains("input 100000x100000"));
    }

    @Test
    void aPlanHasTheBuiltModelsShapesWithoutItsWeights() {
        String spec = "conv2d(4,3,padding=1) batchnorm relu maxpool2d(2) flatten residual(linear(196) tanh) linear(10)";
        ModelSpec.Plan plan = ModelSpec.plan(spec, new int[] {1, 14, 14});
        Model m = build(spec, 1, 14, 14);
        assertEquals(m.parameterCount(), plan.parameterCount());
        List<String> names = new ArrayList<>();
        for (ModelSpec.LayerPlan l : plan.allLayers()) names.add(l.name());
        List<String> built = new ArrayList<>();
        for (Layer l : m.allLayers()) built.add(l.name());
        assertEquals(built, names);
        assertArrayEquals(m.outputShape(), plan.layers().get(plan.layers().size() - 1).out());
    }
}
