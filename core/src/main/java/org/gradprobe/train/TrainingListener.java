package org.gradprobe.train;

import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.Model;

/**
 * What happens in a training run, for any number of listeners added to a {@link Trainer}; every
 * method defaults to nothing. A probe attached to the trainer adds the recorded steps and the first
 * non-finite value.
 */
public interface TrainingListener {
    /** Before the first step of {@link Trainer#fit}. */
    default void onBegin(Model model, SampleSet train, Trainer.Settings settings) {}

    /**
     * After the optimizer step of global step {@code step} (1-based); {@code batch} is 0-based within the
     * epoch; {@code samples} is the batch's size N (images, or sequences: not their tokens).
     */
    default void onStep(int epoch, long step, int batch, int batches, double loss, int samples) {}

    /** A probe recorded step {@code step}: its records are in the probe's histories (called right after its update). */
    default void onRecord(long step) {}

    /** A probe found the run's first NaN or Inf. */
    default void onNonFinite(NonFinite event) {}

    /** After epoch {@code epoch} and its test evaluation ({@code test} null without a test set). */
    default void onEpoch(int epoch, Evaluation test) {}

    /** After the last step and epoch. */
    default void onEnd() {}

    /** Where the first NaN or Inf of a run came from. */
    interface NonFinite {
        /** The node that produced it from finite inputs. */
        String node();

        String op();

        /** "forward", "backward" or "update". */
        String pass();

        long step();

        /** One line, with the statistics of the op's inputs. */
        String describe();
    }
}
