package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The recorded steps of one node, in bounded memory: when {@code capacity} is reached, the older half
 * is merged pairwise (statistics are mergeable, so extremes, NaN counts and histograms survive), and
 * the newest records stay at full resolution for the detectors.
 */
public final class NodeHistory {
    /** Whether the node is a layer's output (activation) or a parameter. */
    public enum Kind { ACTIVATION, PARAMETER }

    private final String name;
    private final String layer;
    private final String layerKindName;
    private final LayerKind layerKind;
    private final Kind kind;
    private final int[] shape;
    private final int capacity;
    private final List<StepRecord> records = new ArrayList<>();

    NodeHistory(String name, String layer, String layerKind, Kind kind, int[] shape, int capacity) {
        this.name = name;
        this.layer = layer;
        this.layerKindName = layerKind;
        this.layerKind = LayerKind.of(layerKind);
        this.kind = kind;
        this.shape = shape.clone();
        this.capacity = capacity;
    }

    void add(StepRecord r) {
        records.add(r);
        if (records.size() >= capacity) {
            int half = records.size() / 2;
            List<StepRecord> merged = new ArrayList<>();
            for (int i = 0; i + 1 < half; i += 2) merged.add(records.get(i).merge(records.get(i + 1)));
            if (half % 2 == 1) merged.add(records.get(half - 1));
            merged.addAll(records.subList(half, records.size()));
            records.clear();
            records.addAll(merged);
        }
    }

    public String name() { return name; }
    /** The layer this node belongs to. */
    public String layer() { return layer; }
    /** The kind of the layer this node belongs to. */
    public LayerKind layerKind() { return layerKind; }
    /** That kind as the layer names it ("conv2d", or a kind of the user's own). */
    public String layerKindName() { return layerKindName; }
    public Kind kind() { return kind; }
    public int[] shape() { return shape.clone(); }
    public List<StepRecord> records() { return Collections.unmodifiableList(records); }

    /** The last {@code n} records (fewer if there are fewer). */
    public List<StepRecord> last(int n) {
        return records.subList(Math.max(0, records.size() - n), records.size());
    }

    public StepRecord latest() {
        return records.isEmpty() ? null : records.get(records.size() - 1);
    }
}
