package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.gradprobe.autograd.Backward;
import org.gradprobe.autograd.BackwardFn;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.nn.ForwardContext;
import org.gradprobe.nn.Layer;
import org.gradprobe.nn.Model;
import org.gradprobe.ops.F;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.Trainer;

/**
 * Records every node of a model during training: each layer's output (forward value and the gradient
 * arriving at it) and each parameter (weights, gradient, update), every {@code every} steps, into
 * bounded histories; checks on every step that the loss and every gradient are finite, and when they
 * are not, replays the step to name the node that produced the first NaN or Inf.
 *
 * <p>The statistics are computed on the probe's own thread; a recorded step reaches the histories
 * (and {@link Listener#onRecord}) after the next backward pass, or as soon as {@link #nodes()} or
 * {@link #verdicts()} is called, or at the end of an epoch or of {@code fit}.
 *
 * <pre>
 *   Probe probe = Probe.attach(trainer, ProbeConfig.defaults());
 *   trainer.fit(train, test, probe);
 *   List&lt;LayerVerdict&gt; verdicts = probe.verdicts();
 * </pre>
 */
public final class Probe implements Trainer.StepHook, Trainer.Listener {
    /** What to do when a step produces a NaN or Inf. */
    public enum OnNonFinite { STOP, SKIP, CONTINUE }

    /** Callbacks for other code that reacts to the probe; all default to nothing. */
    public interface Listener {
        /** Step {@code step}'s records are in the histories (called once the probe's thread is done with it). */
        default void onRecord(long step, Probe probe) {}

        default void onNonFinite(NonFiniteEvent event) {}

        default void onEpoch(int epoch, Probe probe, Evaluation test) {}
    }

    private final Model model;
    private final Optimizer optimizer;
    private final ProbeConfig config;
    private final Map<String, NodeHistory> nodes = new LinkedHashMap<>();
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final List<double[]> losses = new ArrayList<>();        // {step, loss}, every step, downsampled when long
    private final List<Listener> listeners = new ArrayList<>();
    private OnNonFinite onNonFinite = OnNonFinite.STOP;
    private NonFiniteEvent firstNonFinite;
    private boolean stopped;
    private long steps;

    // Recording every step, statistics are computed on the probe's own thread while training goes on,
    // and collected into the histories once they are ready, at the latest when the next step has been
    // through its backward pass (the trainer keeps the step's arrays until then). At a longer interval
    // the layers' are computed at once, on the training threads (the pieces of each pass in parallel),
    // so no step's arrays are kept while the next runs, which would take a second set of them
    // (measured: see the README); the parameters' are computed from copies on the probe's thread at
    // any interval, and the step is collected once they are ready.
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gradprobe-probe");
        t.setDaemon(true);
        return t;
    });
    /** The step being recorded (forward to update), and the last recorded one, not yet collected. */
    private Pending recording, uncollected;
    private final Map<String, Tensor> before = new LinkedHashMap<>();
    /** Per relu output (read and written only by the statistics tasks, which run in order): how many batches it was recorded for, and the last in which each unit was active. */
    private final Map<String, Activity> activity = new LinkedHashMap<>();

    private static final class Activity {
        int batches;
        final int[] lastActive;

        Activity(int units) {
            lastActive = new int[units];    // 0: never (batches count from 1)
        }
    }

    /** A parameter at a recorded step: the statistics of its weights before the update and of its gradient (from copies, on the probe's thread), and the update's norm. */
    private record Parameter(Future<Stats> weights, Future<Stats> grad, double updateNorm) {}

    /** One recorded step: its statistics, computed at once or on the probe's thread, and the parameters'. */
    private static final class Pending {
        final long step;
        /** Whether the statistics are computed at once, on the training threads, instead of on the probe's thread. */
        final boolean inline;
        /** The last task submitted for this step: the probe's thread runs them in order. */
        Future<?> last;
        final Map<Tensor, String> outputs = new IdentityHashMap<>();
        final Map<String, Future<Stats>> valueStats = new LinkedHashMap<>();
        final Map<String, Future<Stats>> gradStats = new LinkedHashMap<>();
        final Map<String, Future<Double>> unitFractions = new LinkedHashMap<>();
        // tensors that share storage (flatten's output and its input, and their gradients) are summarized once
        final Map<Object, Future<Stats>> byStorage = new IdentityHashMap<>();
        final Map<String, Parameter> parameters = new LinkedHashMap<>();

        Pending(long step, boolean inline) {
            this.step = step;
            this.inline = inline;
        }

        /** Runs {@code task} now, or on the probe's thread after those submitted before it. */
        <T> Future<T> submit(Callable<T> task) {
            Future<T> f;
            if (inline) {
                FutureTask<T> now = new FutureTask<>(task);
                now.run();
                f = now;
            } else {
                f = WORKER.submit(task);
            }
            last = f;
            return f;
        }

        /**
         * Runs {@code task} on the probe's thread after those submitted before it, at any interval: for
         * work on copies (the parameters'), which keeps no array of the step.
         */
        <T> Future<T> background(Callable<T> task) {
            Future<T> f = WORKER.submit(task);
            last = f;
            return f;
        }

        /** True when every statistic of this step has been computed. */
        boolean ready() {
            return last == null || last.isDone();
        }

        // the last layer output, held back until the next one shows whether a relu reads it
        Tensor held;
        String heldName;

        /** The statistics of {@code t}, once per storage array. */
        Future<Stats> statsOf(Tensor t) {
            return byStorage.computeIfAbsent(storage(t), k -> submit(() -> Stats.of(t, inline)));
        }

        /** Records layer {@code name}'s output; a relu's is summarized in one pass with its input, when held. */
        void output(String name, Layer layer, Tensor out) {
            outputs.put(out, name);
            Node node = out.node();
            if (held != null && layer.kind().equals("relu") && node != null && node.op().equals("relu") && node.inputs()[0] == held
                    && !byStorage.containsKey(storage(held))) {
                CompletableFuture<Stats> in = new CompletableFuture<>(), relu = new CompletableFuture<>();
                Tensor x = held;
                submit(() -> {
                    try {
                        Stats[] both = Stats.withRelu(x, inline);
                        in.complete(both[0]);
                        relu.complete(both[1]);
                    } catch (Throwable e) {
                        in.completeExceptionally(e);
                        relu.completeExceptionally(e);
                    }
                    return null;
                });
                byStorage.put(storage(x), in);
                byStorage.put(storage(out), relu);
                valueStats.put(heldName, in);
                valueStats.put(name, relu);
                held = null;
                return;
            }
            flush();
            held = out;
            heldName = name;
        }

        /** Summarizes the held output: the forward pass is over, or the next layer is no relu of it. */
        void flush() {
            if (held == null) return;
            valueStats.put(heldName, statsOf(held));
            held = null;
        }

        private static Object storage(Tensor t) {
            return t.f != null ? t.f : t.d;
        }
    }

    public Probe(Model model, Optimizer optimizer, ProbeConfig config) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        Map<String, Tensor> params = model.parameters();
        for (Layer l : model.allLayers()) {
            layers.put(l.name(), l);
            nodes.put(l.name(), new NodeHistory(l.name(), l.name(), l.kind(), NodeHistory.Kind.ACTIVATION, l.outShape(), config.capacity()));
            for (String p : l.params().keySet()) {
                String full = l.name() + "." + p;
                nodes.put(full, new NodeHistory(full, l.name(), l.kind(), NodeHistory.Kind.PARAMETER, params.get(full).shape(), config.capacity()));
            }
        }
    }

    /** A probe on the trainer's model and optimizer, installed as its step hook. */
    public static Probe attach(Trainer trainer, ProbeConfig config) {
        Probe p = new Probe(trainer.model(), trainer.optimizer(), config);
        trainer.withHook(p);
        return p;
    }

    public Probe onNonFinite(OnNonFinite policy) {
        this.onNonFinite = policy;
        return this;
    }

    public Probe addListener(Listener l) {
        listeners.add(l);
        return this;
    }

    public ProbeConfig config() { return config; }
    public Model model() { return model; }
    /** Histories by node name: layer outputs ("conv1") and parameters ("conv1.weight"), in forward order. */
    public Map<String, NodeHistory> nodes() {
        collect();
        return nodes;
    }
    public NonFiniteEvent firstNonFinite() { return firstNonFinite; }
    /** True once a non-finite step stopped training (policy STOP). */
    public boolean stopped() { return stopped; }
    public long steps() { return steps; }
    /** {step, loss} pairs (every step; merged pairwise when long). */
    public List<double[]> losses() { return losses; }

    /** The loss of {@code step}, NaN when it is no longer kept apart (old steps are merged pairwise). */
    public double lossAt(long step) {
        for (int i = losses.size() - 1; i >= 0; i--) {
            double[] l = losses.get(i);
            if (l[0] == step) return l[1];
            if (l[0] < step) break;
        }
        return Double.NaN;
    }

    /** The verdicts of the detectors on the current histories. */
    public List<LayerVerdict> verdicts() {
        return Detectors.run(this);
    }

    private boolean recording(long step) {
        return (step - 1) % config.every() == 0;
    }

    // ---- Trainer.StepHook ----

    @Override
    public ForwardContext.LayerObserver forwardObserver(long step) {
        recording = null;
        if (stopped || !recording(step)) return null;
        Pending rec = new Pending(step, config.every() > 1);
        recording = rec;
        return (name, layer, out) -> {
            // layer outputs and gradients are never written after they are made, so reading them later is safe
            rec.output(name, layer, out);
            String kind = layer.kind();
            if (kind.equals("relu")) rec.unitFractions.put(name, rec.submit(() -> deadFraction(name, out, rec.inline)));
            else if (kind.equals("sigmoid") || kind.equals("tanh")) rec.unitFractions.put(name, rec.submit(() -> saturatedFraction(kind, out)));
        };
    }

    @Override
    public Backward.GradListener backwardListener(long step) {
        Pending rec = recording;
        if (rec == null || rec.step != step) return null;
        rec.flush();
        return new Backward.GradListener() {
            // gradients made by a routing rule (max pooling) and maybe gated after (relu), each with the
            // output gradient it was routed from: their statistics follow from that smaller tensor's
            final Map<Tensor, Route> routes = new IdentityHashMap<>();
            Tensor last;    // the tensor whose gradient the next rule receives

            @Override
            public void onGrad(Tensor tensor, Tensor grad) {
                last = tensor;
                String name = rec.outputs.get(tensor);
                if (name == null) return;
                // a routed gradient that reached its tensor alone (not summed with another) holds the
                // values of the gradient it came from (those the gates let through) plus zeros
                Route r = routes.get(grad);
                rec.gradStats.put(name, r == null ? rec.statsOf(grad) : r.stats(rec, grad.numel()));
            }

            @Override
            public void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {
                if (gradIns.length != 1 || gradIns[0] == null) return;
                BackwardFn fn = node.backwardFn();
                if (fn instanceof BackwardFn.Routing) {
                    routes.put(gradIns[0], new Route(gradOut, last, node.inputs()[0], false));
                } else if (fn instanceof BackwardFn.Gate) {
                    // when the routing op read this op's output (and not, say, a sum with it, whose gradient
                    // passes through unchanged), the gate is open for value j where the routing op's output j,
                    // a copy of this op's output where j was routed, is positive
                    Route r = routes.get(gradOut);
                    if (r != null && !r.gated && r.routedTo == last) routes.put(gradIns[0], new Route(r.source, r.pooled, null, true));
                }
            }
        };
    }

    /**
     * A gradient routed from {@code source} (the gradient of the routing op's output {@code pooled}) to
     * the routing op's input {@code routedTo}, and, when {@code gated}, then passed only where
     * {@code pooled} is positive.
     */
    private record Route(Tensor source, Tensor pooled, Tensor routedTo, boolean gated) {
        Future<Stats> stats(Pending rec, long numel) {
            long zeros = numel - source.numel();
            if (!gated) {
                Future<Stats> of = rec.statsOf(source);
                return rec.submit(() -> join(of).copy().withZeros(zeros));
            }
            return rec.submit(() -> Stats.gated(source, pooled, rec.inline).withZeros(zeros));
        }
    }

    @Override
    public boolean afterBackward(long step, Tensor input, int[] targets, double loss) {
        // the last recorded step is collected once its statistics are ready, and before the next one is
        // recorded (waiting for them then), whether or not this step's update is applied; the trainer
        // keeps that step's arrays until then (stillReads)
        if (uncollected != null && (uncollected.ready() || (recording != null && recording.step == step))) collect();
        steps = step;
        addLoss(step, loss);
        boolean finite = Double.isFinite(loss);
        for (Tensor p : optimizer.parameters().values()) finite &= p.grad() == null || Stats.allFinite(p.grad());
        if (!finite) {
            if (firstNonFinite == null) {
                firstNonFinite = localize(step, input, targets);
                for (Listener l : listeners) l.onNonFinite(firstNonFinite);
            }
            recording = null;
            if (onNonFinite == OnNonFinite.STOP) stopped = true;
            return onNonFinite == OnNonFinite.CONTINUE;
        }
        if (recording != null && recording.step == step) {
            before.clear();
            for (Map.Entry<String, Tensor> e : optimizer.parameters().entrySet()) before.put(e.getKey(), e.getValue().copy());
        }
        return !stopped;
    }

    @Override
    public void afterUpdate(long step) {
        if (firstNonFinite == null) {
            for (Map.Entry<String, Tensor> e : optimizer.parameters().entrySet()) {
                if (!Stats.allFinite(e.getValue())) {
                    firstNonFinite = new NonFiniteEvent(e.getKey(), "optimizer step", "update", step, List.of(Stats.of(e.getValue().grad())),
                            Stats.of(e.getValue()));
                    for (Listener l : listeners) l.onNonFinite(firstNonFinite);
                    if (onNonFinite == OnNonFinite.STOP) stopped = true;
                    break;
                }
            }
        }
        Pending rec = recording;
        recording = null;
        if (rec == null || rec.step != step) return;
        rec.flush();
        // parameters change with the next update: their records are made now
        for (Map.Entry<String, NodeHistory> e : nodes.entrySet()) {
            if (e.getValue().kind() != NodeHistory.Kind.PARAMETER) continue;
            Tensor p = optimizer.parameters().get(e.getKey());
            Tensor old = before.get(e.getKey());
            if (p == null || old == null) continue;
            double sq = squaredDistance(p, old);
            // summarized on the probe's thread: the weights before the update are a copy already, the
            // gradient is copied (the next step overwrites it)
            Tensor grad = p.grad() == null ? null : p.grad().copy();
            rec.parameters.put(e.getKey(), new Parameter(rec.background(() -> Stats.serial(old)),
                    grad == null ? null : rec.background(() -> Stats.serial(grad)), Math.sqrt(sq)));
        }
        before.clear();
        uncollected = rec;
        if (rec.inline && rec.ready()) collect();
    }

    /** Σ (a − b)² in double, four running sums (one would wait on each addition). */
    private static double squaredDistance(Tensor a, Tensor b) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int n = a.numel(), i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = a.get(i) - b.get(i), d1 = a.get(i + 1) - b.get(i + 1), d2 = a.get(i + 2) - b.get(i + 2), d3 = a.get(i + 3) - b.get(i + 3);
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = a.get(i) - b.get(i);
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Adds the last recorded step to the histories, waiting for the probe's thread if it is not done,
     * and tells the listeners. Called after the next backward pass, and whenever the histories are read.
     */
    private void collect() {
        Pending rec = uncollected;
        if (rec == null) return;
        uncollected = null;
        for (Map.Entry<String, NodeHistory> e : nodes.entrySet()) {
            NodeHistory h = e.getValue();
            if (h.kind() == NodeHistory.Kind.ACTIVATION) {
                Stats v = join(rec.valueStats.get(e.getKey()));
                if (v == null) continue;
                Double frac = join(rec.unitFractions.get(e.getKey()));
                h.add(new StepRecord(rec.step, rec.step, v, join(rec.gradStats.get(e.getKey())), frac == null ? Double.NaN : frac, Double.NaN));
            } else {
                Parameter p = rec.parameters.get(e.getKey());
                if (p != null) h.add(new StepRecord(rec.step, rec.step, join(p.weights()), join(p.grad()), Double.NaN, p.updateNorm()));
            }
        }
        for (Listener l : listeners) l.onRecord(rec.step, this);
    }

    /** Recording every step, the probe's thread reads a recorded step's tensors until that step is collected. */
    @Override
    public boolean stillReads(long step) {
        return uncollected != null && !uncollected.inline && uncollected.step == step;
    }

    @Override
    public boolean stopRequested() {
        return stopped;
    }

    private static <T> T join(Future<T> f) {
        if (f == null) return null;
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while collecting probe statistics", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            throw new IllegalStateException(c);
        }
    }

    // ---- Trainer.Listener ----

    @Override
    public void onEpoch(int epoch, Evaluation test) {
        collect();
        for (Listener l : listeners) l.onEpoch(epoch, this, test);
    }

    @Override
    public void onEnd() {
        collect();
    }

    private void addLoss(long step, double loss) {
        losses.add(new double[] {step, loss});
        if (losses.size() >= 4 * config.capacity()) {
            // keep the newest half as is, average the older half pairwise (NaN and Inf propagate, so they stay visible)
            int half = losses.size() / 2;
            List<double[]> merged = new ArrayList<>();
            for (int i = 0; i + 1 < half; i += 2) merged.add(new double[] {losses.get(i + 1)[0], (losses.get(i)[1] + losses.get(i + 1)[1]) / 2});
            merged.addAll(losses.subList(half, losses.size()));
            losses.clear();
            losses.addAll(merged);
        }
    }

    /**
     * The fraction of units (elements of one sample's output) that were not positive for any sample
     * of the last {@code window} recorded batches: their gradient was always zero.
     */
    private double deadFraction(String name, Tensor out, boolean parallel) {
        int n = out.dim(0), units = out.numel() / Math.max(n, 1);
        if (units == 0) return Double.NaN;
        Activity act = activity.get(name);
        if (act == null || act.lastActive.length != units) activity.put(name, act = new Activity(units));    // new, or its shape changed
        int t = ++act.batches, since = t - Math.min(config.window(), t);    // dead: not active in batches since+1 .. t
        int[] last = act.lastActive;
        // the largest output of each unit over the batch, a range of units at a time; a unit is active
        // when it is positive, so a NaN output (it wins the maximum) counts as inactive
        int grain = Math.max(1, Parallel.MIN_WORK / Math.max(1, n));
        java.util.concurrent.atomic.AtomicInteger dead = new java.util.concurrent.atomic.AtomicInteger();
        Parallel.Chunk body = (c, from, to) -> {
            Kernels kernels = Kernels.get();
            int len = to - from, d = 0;
            float[] mf = out.f != null ? new float[len] : null;
            double[] md = out.f != null ? null : new double[len];
            for (int b = 0; b < n; b++) {
                if (mf != null) kernels.maxInto(mf, out.f, b * units + from, len);
                else kernels.maxInto(md, out.d, b * units + from, len);
            }
            for (int u = from; u < to; u++) {
                if (mf != null ? mf[u - from] > 0 : md[u - from] > 0) last[u] = t;
                if (last[u] <= since) d++;
            }
            dead.addAndGet(d);
        };
        if (parallel) Parallel.forChunks(units, grain, body);
        else body.run(0, 0, units);
        return (double) dead.get() / units;
    }

    /** For sigmoid and tanh outputs, the fraction within 1% of their bounds; NaN for other kinds. */
    static double saturatedFraction(String kind, Tensor out) {
        if (!kind.equals("sigmoid") && !kind.equals("tanh")) return Double.NaN;
        double lo = kind.equals("sigmoid") ? 0.01 : -0.99, hi = 0.99;
        long sat = 0;
        for (int i = 0; i < out.numel(); i++) {
            double v = out.get(i);
            if (v <= lo || v >= hi) sat++;
        }
        return out.numel() == 0 ? Double.NaN : (double) sat / out.numel();
    }

    // ---- localization ----

    /**
     * Replays the step on the same batch and weights (the update was not applied), watching every op:
     * in the forward pass, the first op whose output is non-finite while its inputs are finite; in the
     * backward pass, the first rule that turns a finite gradient into a non-finite one.
     */
    private NonFiniteEvent localize(long step, Tensor input, int[] targets) {
        Map<String, Tensor> savedBuffers = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (!optimizer.parameters().containsKey(e.getKey())) savedBuffers.put(e.getKey(), e.getValue().copy());
        }
        Map<Tensor, String> names = new IdentityHashMap<>();
        NonFiniteEvent[] found = new NonFiniteEvent[1];
        Map<Tensor, String> producers = new IdentityHashMap<>();
        if (!Stats.allFinite(input)) {
            found[0] = new NonFiniteEvent("input", "data", "forward", step, List.of(), Stats.of(input));
        }
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            if (found[0] == null && !Stats.allFinite(e.getValue())) {
                // a weight that is already non-finite (set so, or loaded so): it is the origin, not the ops that read it
                found[0] = new NonFiniteEvent(e.getKey(), "parameter", "forward", step, List.of(), Stats.of(e.getValue()));
            }
        }
        Node.setObserver((op, out, ins) -> {
            if (found[0] != null || Stats.allFinite(out)) return;
            List<Stats> inStats = new ArrayList<>();
            boolean insFinite = true;
            for (Tensor t : ins) {
                if (t == null) {
                    inStats.add(null);
                    continue;
                }
                Stats s = Stats.of(t);
                inStats.add(s);
                insFinite &= s.allFinite();
            }
            if (insFinite) {
                producers.put(out, op);
                found[0] = new NonFiniteEvent(null, op, "forward", step, inStats, Stats.of(out));
            }
        });
        Tensor loss;
        Tensor producedOut = null;
        try {
            ForwardContext ctx = new ForwardContext(true, new SplittableRandom(step), (name, layer, out) -> names.put(out, name));
            Tensor logits = model.forward(input, ctx);
            loss = F.crossEntropy(logits, targets);
            names.put(loss, "loss");
        } finally {
            Node.setObserver(null);
        }
        for (Map.Entry<Tensor, String> e : producers.entrySet()) producedOut = e.getKey();
        if (found[0] != null && found[0].node() == null) {
            String node = producedOut != null && names.containsKey(producedOut) ? names.get(producedOut) : "loss";
            found[0] = new NonFiniteEvent(node, found[0].op(), "forward", step, found[0].inputs(), found[0].output());
        }
        if (found[0] == null) {
            model.zeroGrad();
            Backward.backward(loss, Tensor.full(loss.dtype, 1.0, loss.shape()), new Backward.GradListener() {
                @Override
                public void onRule(Node node, Tensor gradOut, Tensor[] gradIns) {
                    if (found[0] != null || !Stats.allFinite(gradOut)) return;
                    for (Tensor g : gradIns) {
                        if (g != null && !Stats.allFinite(g)) {
                            List<Stats> in = new ArrayList<>();
                            in.add(Stats.of(gradOut));
                            for (Tensor t : node.inputs()) in.add(t == null ? null : Stats.of(t));
                            String where = node.label() != null ? node.label() : node.op();
                            found[0] = new NonFiniteEvent(where, node.op(), "backward", step, in, Stats.of(g));
                            return;
                        }
                    }
                }
            });
        }
        Map<String, Tensor> state = model.stateDict();
        for (Map.Entry<String, Tensor> e : savedBuffers.entrySet()) state.get(e.getKey()).copyFrom(e.getValue());
        if (found[0] == null) {
            // the replay came out finite (a random mask differed): report what the cheap check saw
            return new NonFiniteEvent("loss", "cross_entropy", "forward", step, List.of(), new Stats());
        }
        return found[0];
    }
}
