package org.gradprobe.data;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import org.gradprobe.io.InputFiles;
import org.gradprobe.tensor.Shapes;

/**
 * Finds and reads Fashion-MNIST (or MNIST: same file names and format). Where it looks, in order: the
 * folder given with {@code --data}; Debian's {@code dataset-fashion-mnist} at {@link #DEBIAN_DIR}; the
 * subset of real Fashion-MNIST shipped inside gradprobe (4000 training and 1000 test images, MIT
 * licence, see its LICENSE file).
 */
public final class FashionMnist {
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final String BUNDLED = "fashion-mnist-subset/";
    public static final String[] CLASSES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    };

    private FashionMnist() {}

    /** Training and test sets and where they came from. */
    public record Split(Dataset train, Dataset test, String source) {}

    /** Loads from {@code dir} when not null, else Debian's folder when present, else the bundled subset. */
    public static Split load(Path dir) {
        if (dir != null) {
            String problem = InputFiles.folderProblem(dir);
            if (problem != null) throw new DataException(dir + ": " + problem + " (expected a folder of IDX files)");
            return fromDir(dir, dir.toString());
        }
        if (Files.isRegularFile(DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"))) {
            return fromDir(DEBIAN_DIR, DEBIAN_DIR + " (Debian dataset-fashion-mnist)");
        }
        return bundled();
    }

    /** The subset shipped inside gradprobe. */
    public static Split bundled() {
        Dataset train = pair("train", resource("train-images-idx3-ubyte.gz"), resource("train-labels-idx1-ubyte.gz"),
                "bundled:train-images-idx3-ubyte.gz", "bundled:train-labels-idx1-ubyte.gz");
        Dataset test = pair("test", resource("t10k-images-idx3-ubyte.gz"), resource("t10k-labels-idx1-ubyte.gz"),
                "bundled:t10k-images-idx3-ubyte.gz", "bundled:t10k-labels-idx1-ubyte.gz");
        return new Split(train, test, "the Fashion-MNIST subset shipped with gradprobe");
    }

    private static InputStream resource(String file) {
        InputStream in = FashionMnist.class.getResourceAsStream(BUNDLED + file);
        if (in == null) throw new DataException("bundled data " + file + " is missing from the gradprobe jar");
        return in;
    }

    /** Both sets, checked to hold images of one size before anything trains on them. */
    private static Split fromDir(Path dir, String source) {
        Path trainImages = find(dir, "train-images-idx3-ubyte"), testImages = find(dir, "t10k-images-idx3-ubyte");
        Dataset train = fromFiles(dir, "train", trainImages), test = fromFiles(dir, "t10k", testImages);
        if (!Arrays.equals(train.sampleShape(), test.sampleShape())) {
            throw new DataException(testImages + ": test images are " + Shapes.dims(test.sampleShape()) + ", expected "
                    + Shapes.dims(train.sampleShape()) + " as the training images of " + trainImages);
        }
        return new Split(train, test, source);
    }

    private static Dataset fromFiles(Path dir, String prefix, Path images) {
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        Idx.Content im = Idx.read(images, 3);
        Idx.Content lb = Idx.read(labels, 1);
        return build(prefix.equals("train") ? "train" : "test", im, lb, images.toString(), labels.toString());
    }

    private static Path find(Path dir, String base) {
        for (String name : new String[] {base + ".gz", base, base.replace("-idx", ".idx")}) {
            Path p = dir.resolve(name);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                String problem = InputFiles.problem(p);
                if (problem != null) throw new DataException(p + ": " + problem + " (expected an IDX file)");
                return p;
            }
        }
        throw new DataException(dir.resolve(base + ".gz") + ": no such file (also looked for " + base + " without .gz)");
    }

    private static Dataset pair(String split, InputStream images, InputStream labels, String imagesName, String labelsName) {
        return build(split, Idx.read(imagesName, images, 3), Idx.read(labelsName, labels, 1), imagesName, labelsName);
    }

    private static Dataset build(String split, Idx.Content im, Idx.Content lb, String imagesName, String labelsName) {
        if (im.dims()[0] == 0) throw new DataException(imagesName + ": no images (its header says 0), expected at least one");
        if (im.dims()[1] == 0 || im.dims()[2] == 0) {
            throw new DataException(imagesName + ": images of " + im.dims()[1] + "x" + im.dims()[2] + " pixels, expected at least 1x1");
        }
        if (im.dims()[0] != lb.dims()[0]) {
            throw new DataException(imagesName + ": " + im.dims()[0] + " images but " + labelsName + " has " + lb.dims()[0] + " labels");
        }
        int[] labels = new int[lb.data().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = lb.data()[i] & 0xff;
            if (labels[i] > 9) throw new DataException(labelsName + ": label " + labels[i] + " at index " + i + " is outside 0..9");
        }
        return new Dataset(split, im.data(), labels, new int[] {1, im.dims()[1], im.dims()[2]}, 10, CLASSES);
    }
}
