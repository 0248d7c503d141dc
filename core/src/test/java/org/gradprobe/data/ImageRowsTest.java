package org.gradprobe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.SplittableRandom;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * Fashion-MNIST fed as sequences: with a model input of [28, 28] each image is its 28 rows of 28
 * pixels, [N, 28, 28] a batch, the same numbers in the same order as the [N, 1, 28, 28] batch.
 */
class ImageRowsTest {
    static void rowsAreTheImages(Dataset data) {
        assertArrayEquals(new int[] {1, 28, 28}, data.sampleShape());
        Batches images = new Batches(data, 64, new SplittableRandom(3), 0.5, 0.5, DType.FLOAT32);
        Batches rows = new Batches(data, 64, new SplittableRandom(3), 0.5, 0.5, DType.FLOAT32, new int[] {28, 28});
        assertEquals(images.count(), rows.count());
        for (int b : new int[] {0, 1, rows.count() - 1}) {
            Batches.Batch i = images.get(b), r = rows.get(b);
            assertArrayEquals(new int[] {i.samples(), 28, 28}, r.input().shape(), "batch " + b);
            assertArrayEquals(i.labels(), r.labels(), "batch " + b);
            for (int k = 0; k < i.input().numel(); k++) assertEquals(i.input().get(k), r.input().get(k), 0.0);
        }
        // row t of sample n is pixels t*28 .. t*28+27 of the image, normalized
        Batches.Batch first = new Batches(data, 2, null, 0.5, 0.5, DType.FLOAT64, new int[] {28, 28}).get(0);
        assertEquals((data.pixel(1, 5 * 28 + 17) / 255.0 - 0.5) / 0.5, first.input().get(((1 * 28) + 5) * 28 + 17), 1e-15);
    }

    @Test
    void theBundledSubsetAsRows() {
        FashionMnist.Split s = FashionMnist.bundled();
        rowsAreTheImages(s.train());
        rowsAreTheImages(s.test());
    }

    @Test
    void theFullSetAsRows() {
        assumeTrue(Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz")), "Debian's dataset-fashion-mnist");
        FashionMnist.Split s = FashionMnist.load(null);
        assertEquals(60_000, s.train().size());
        assertEquals(10_000, s.test().size());
        rowsAreTheImages(s.train());
        rowsAreTheImages(s.test());
    }
}
