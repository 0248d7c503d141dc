package org.gradprobe.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradprobe.bench.CheckBench;
import org.gradprobe.bench.GemmBench;
import org.gradprobe.bench.StatsBench;
import org.gradprobe.bench.TrainingBench;
import org.gradprobe.io.Json;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.probe.ProbeConfig;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.tensor.DType;
import org.gradprobe.train.MemoryEstimate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** gradprobe bench: training throughput with the probe off, at its default interval and at every step. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure images/s for training the seed CNN with the probe off, at its default interval and recording every node "
                + "every step, alternating the three in one run (medians and the probe's overhead; the default interval's cost step by "
                + "step; recording every step, the time in the probe's hooks by phase), then matrix-multiply GFLOP/s, the "
                + "probe's statistics pass in ns a value, the gradient-check times and the peak memory. "
                + "Close other work first.")
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec commandSpec;

    @Option(names = {"-m", "--model"}, paramLabel = "SPEC", description = "Time this network instead of the seed CNN, on random batches "
            + "(token ids when it starts with an embedding), e.g. \"gru(128) last linear(10)\" --input 28x28.")
    String model;

    @Option(names = "--input", paramLabel = "SHAPE", description = "With --model: the per-sample input shape, e.g. 28x28 (T×D) or 64 (T token ids).")
    String input;

    @Option(names = "--loss", paramLabel = "cross-entropy|mse|bce-logits", converter = Converters.LossConverter.class,
            description = "With --model: the loss, on random targets of its kind (default: cross-entropy).")
    Loss loss;

    @Option(names = "--batch", split = ",", paramLabel = "N", defaultValue = "4,64,256", converter = Converters.PositiveInt.class, description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--images", defaultValue = "2048", converter = Converters.PositiveInt.class, description = "Images (samples, with --model) per timed turn, rounded up to whole intervals of the "
            + "probe's default (" + ProbeConfig.DEFAULT_EVERY + " steps), so that every turn at the default interval records as many steps "
            + "(default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--rounds", defaultValue = "5", converter = Converters.PositiveInt.class, description = "Timed turns per mode; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--modes", split = ",", defaultValue = "off,default,every", paramLabel = "MODE",
            description = "Probe modes to time: off, default (the default interval), every (every node every step) (default: ${DEFAULT-VALUE}).")
    List<String> modes;

    @Mixin ThreadsOption threadsOption;

    @Option(names = "--no-check", description = "Skip the gradient-check timings.")
    boolean noCheck;

    @Option(names = "--no-gemm", description = "Skip the matrix-multiply timings.")
    boolean noGemm;

    @Option(names = "--no-stats", description = "Skip the timings of the probe's statistics pass.")
    boolean noStats;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    /** The thread counts a kernel timing runs on: all of them, then one (none when skipped). */
    private static int[] threadCounts(boolean skip, int threads) {
        return skip ? new int[0] : threads == 1 ? new int[] {1} : new int[] {threads, 1};
    }

    @Override
    public Integer call() {
        List<Integer> modeIndex = new ArrayList<>();
        for (String m : modes) {
            int i = List.of("off", "default", "every").indexOf(m.trim());
            if (i < 0) throw new UsageException("--modes: unknown mode '" + m + "', expected off, default or every");
            if (!modeIndex.contains(i)) modeIndex.add(i);
        }
        int threads = threadsOption.apply();
        if (batches.isEmpty()) throw new UsageException("--batch: no batch size given (expected sizes like 4,64,256)");
        if (modes.isEmpty()) throw new UsageException("--modes: no mode given (expected off, default or every)");
        if (model == null) OptionRules.refuse(commandSpec, "applies with --model SPEC", "--input", "--loss");
        TrainingBench.Workload work = model == null ? TrainingBench.Workload.SEED_CNN
                : new TrainingBench.Workload(model, Converters.dims("--input", input), loss != null ? loss : Loss.CROSS_ENTROPY);
        ModelSpec.Plan plan = ModelSpec.plan(work.spec(), work.input());
        for (int b : batches) {
            // the network with SGD's momentum buffer and the probe's copy of the weights, as a turn trains it
            MemoryCheck.require("bench", plan, DType.FLOAT32, MemoryEstimate.Job.training(b, b, 1, true, 0), "--batch", 0);
        }
        String unit = model == null ? "images" : "samples";
        List<Object> out = new ArrayList<>();
        if (!json) System.out.printf("%s training, float32, %d threads; median of %d turns of at least %d %s (whole probe intervals)%n",
                model == null ? "seed CNN" : plan.spec(), threads, rounds, images, unit);
        for (int b : batches) {
            int every = ProbeConfig.DEFAULT_EVERY, steps = (int) ((images + (long) b * every - 1) / ((long) b * every)) * every;
            TrainingBench.Result r = TrainingBench.run(work, b, steps, rounds, modeIndex);
            Map<String, Object> m = new LinkedHashMap<>();
            if (model != null) m.put("model", plan.spec());
            m.put("batch", b);
            m.put("steps_per_turn", steps);
            m.put(unit + "_per_s", r.medianImagesPerSecond());
            m.put("overhead_default", r.overhead(TrainingBench.MODES[1]));
            m.put("overhead_every_step", r.overhead(TrainingBench.MODES[2]));
            out.add(m);
            double[] pd = r.pairedOverhead(TrainingBench.MODES[1]), pe = r.pairedOverhead(TrainingBench.MODES[2]);
            m.put("paired_overhead_default", pd);
            m.put("paired_overhead_every_step", pe);
            m.put("recorded_step_cost_default", r.recordedStepCost());
            m.put("check_cost_default", r.checkCost());
            m.put("interval_cost_default", r.intervalCost());
            if (r.everyStepHooks() != null) {
                Map<String, Object> hooks = new LinkedHashMap<>();
                for (int k = 0; k < TrainingBench.HOOK_PHASES.length; k++) hooks.put(TrainingBench.HOOK_PHASES[k].replace(' ', '_'), r.everyStepHooks()[k]);
                m.put("every_step_hooks_seconds", hooks);
            }
            if (!json) {
                StringBuilder line = new StringBuilder(String.format("batch %4d:", b));
                int head = line.length();
                for (int i : modeIndex) {
                    String mode = TrainingBench.MODES[i];
                    line.append(line.length() > head ? " |" : "").append(String.format(" %s %7.1f %s/s", mode, r.medianImagesPerSecond().get(mode),
                            model == null ? "img" : "samples"));
                    if (i > 0 && modeIndex.contains(0)) line.append(String.format(" (%+.1f%%)", 100 * r.overhead(mode)));
                }
                System.out.println(line.append(String.format(" (%d steps a turn)", steps)));
                if (modeIndex.contains(0) && modeIndex.size() > 1) {
                    List<String> paired = new ArrayList<>();
                    for (int i : modeIndex) {
                        if (i == 0) continue;
                        double[] po = r.pairedOverhead(TrainingBench.MODES[i]);
                        paired.add(String.format("%s %+.1f%% [%+.1f%%, %+.1f%%]", i == 1 ? "default" : "every step", 100 * po[0], 100 * po[1], 100 * po[2]));
                    }
                    System.out.println("            overhead round by round (median [quartiles]): " + String.join(", ", paired));
                }
                if (modeIndex.contains(1)) {
                    System.out.printf("            default interval, step by step: %+.2f%% (recording %+.2f%% of an interval's steps, the NaN/Inf checks %+.2f%% of every step)%n",
                            100 * r.intervalCost(), 100 * r.recordedStepCost(), 100 * r.checkCost());
                }
                if (r.everyStepHooks() != null) {
                    double[] h = r.everyStepHooks();
                    double sum = 0;
                    StringBuilder phases = new StringBuilder();
                    for (int k = 0; k < h.length; k++) {
                        sum += h[k];
                        phases.append(k == 0 ? "" : ", ").append(String.format("%s %.2f", TrainingBench.HOOK_PHASES[k], 1e3 * h[k]));
                    }
                    String share = modeIndex.contains(0) ? String.format(", %.1f%% of a probe-off step", 100 * sum * r.medianImagesPerSecond().get(TrainingBench.MODES[0]) / b) : "";
                    System.out.printf("            every step, in the probe's hooks (median ms a step): %s; together %.2f ms%s%n", phases, 1e3 * sum, share);
                }
            }
        }
        List<Object> gemm = new ArrayList<>();
        for (int t : threadCounts(noGemm, threads)) {
            GemmBench.Result g = GemmBench.run(512, t, rounds);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("n", g.n());
            m.put("threads", t);
            m.put("float32_gflops", g.float32Gflops());
            m.put("float64_gflops", g.float64Gflops());
            gemm.add(m);
            if (!json) {
                System.out.printf("matrix multiply 512x512x512, %d thread%s: float32 %.1f GFLOP/s, float64 %.1f GFLOP/s%n", t, t == 1 ? "" : "s",
                        g.float32Gflops(), g.float64Gflops());
            }
        }
        List<Object> stats = new ArrayList<>();
        for (int t : threadCounts(noStats, threads)) {
            StatsBench.Result s = StatsBench.run(StatsBench.SEED_CONV1_B64, t, rounds);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("values", s.values());
            m.put("threads", t);
            m.put("plain_ns_per_value", s.plainNsPerValue());
            m.put("with_relu_ns_per_value", s.withReluNsPerValue());
            m.put("histogram_counts_ns_per_value", s.histogramNsPerValue());
            stats.add(m);
            if (!json) {
                System.out.printf("probe statistics over %,d values (the first convolution's output at batch 64), %d thread%s: %.2f ns a value, "
                        + "%.2f with the relu's; counting each value's histogram slot alone %.2f%n", s.values(), t, t == 1 ? "" : "s",
                        s.plainNsPerValue(), s.withReluNsPerValue(), s.histogramNsPerValue());
            }
        }
        Map<String, Object> check = null;
        if (!noCheck) {
            CheckBench.Result c = CheckBench.run(rounds);
            check = new LinkedHashMap<>();
            check.put("seed_cnn_fast_seconds", c.seedCnnFast());
            check.put("conv1_full_seconds", c.conv1Full());
            check.put("passed", c.passed());
            if (!json) {
                System.out.printf("gradient check (float64): seed CNN fast mode, batch 2: %.3f s; conv1 full mode (320 parameters): %.3f s%s%n",
                        c.seedCnnFast(), c.conv1Full(), c.passed() ? "" : " (A CHECK FAILED)");
            }
        }
        long rss = GemmBench.peakRssBytes(), heap = GemmBench.peakHeapBytes();
        if (!json) {
            System.out.printf("peak memory: resident %s, heap %.0f MB (kernels: %s)%n", rss < 0 ? "unknown" : String.format("%.0f MB", rss / 1e6),
                    heap / 1e6, Kernels.describe());
        }
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("kernels", Kernels.describe());
            all.put("gemm", gemm);
            all.put("stats", stats);
            all.put("peak_rss_bytes", rss);
            all.put("peak_heap_bytes", heap);
            all.put("check", check);
            all.put("threads", threads);
            all.put("rounds", rounds);
            all.put("training", out);
            System.out.println(Json.write(all));
        }
        return 0;
    }
}
