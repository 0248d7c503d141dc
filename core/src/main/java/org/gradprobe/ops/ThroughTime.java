package org.gradprobe.ops;

/**
 * The gradient that reached a recurrent layer's hidden state at each time step in one backward pass:
 * ∂L/∂h_t, the whole of it (from the output at t and through the recurrence from t+1), as the sum of
 * its squares over the batch. Handed to a recurrent op by whoever wants it (the probe, at a recorded
 * step); the op's backward fills it.
 */
public final class ThroughTime {
    private double[] sumSquares = new double[0];
    private long elementsPerStep;
    private boolean filled;

    /** The op's backward: step t's Σ (∂L/∂h_t)² over the batch and units, for {@code steps} steps of {@code elementsPerStep} values. */
    void fill(double[] sumSquares, long elementsPerStep) {
        this.sumSquares = sumSquares.clone();
        this.elementsPerStep = elementsPerStep;
        this.filled = true;
    }

    /** Whether a backward pass has filled it. */
    public boolean filled() { return filled; }

    /** The number of time steps. */
    public int steps() { return sumSquares.length; }

    /** The L2 norm of ∂L/∂h_t over the batch. */
    public double norm(int t) { return Math.sqrt(sumSquares[t]); }

    /** The root mean square of ∂L/∂h_t's elements. */
    public double rms(int t) { return Math.sqrt(sumSquares[t] / elementsPerStep); }
}
