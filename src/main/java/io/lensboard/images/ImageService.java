package io.lensboard.images;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.lensboard.Futures;
import io.lensboard.LensboardConfig;
import io.lensboard.Threads;
import io.lensboard.analysis.ImageActivations;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.checkpoint.SafetensorsWriter;
import io.lensboard.model.pool.ModelPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Images: uploads checked and stored, built-in ones made, and an image's activations in an image model (a ViT or a
 * hybrid), computed on the device thread of the pool. An image is decoded once, at its upload, on the worker that
 * receives it, under the decoder's limits (and given up if its client leaves); its {@link Pixels} are stored beside
 * it, so that no later use decodes it again, after a restart or on another replica either. The most recently used
 * are also kept in memory (up to {@link #DECODED_BYTES}), so that a run's start on the device thread finds them there.
 */
@ApplicationScoped
public class ImageService {
    /** Uploaded ids: the first 16 hex digits of the bytes' SHA-256. */
    private static final Pattern UPLOADED = Pattern.compile("[0-9a-f]{16}");
    private static final int TOP_LABELS = 5;
    /** How many bytes of decoded pixels are kept: five images at the pixel limit, hundreds of ordinary ones. */
    static final long DECODED_BYTES = 256L << 20;

    /** Decoded images by id, least recently used first; guarded by itself. */
    private final java.util.LinkedHashMap<String, BufferedImage> decoded = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private long decodedBytes; // guarded by decoded

    @Inject
    ImageStore store;

    @Inject
    ModelPool pool;

    @Inject
    LensboardConfig config;

    public ImageDecoder.Limits limits() {
        LensboardConfig.Images c = config.images();
        return new ImageDecoder.Limits(c.maxBytes().asLongValue(), c.maxSide(), c.maxPixels());
    }

    /**
     * Checks, decodes (so a broken file is refused now, not at its first use) and stores an uploaded image with its
     * pixels. Once {@code clientGone} says the client has left, the decode stops (499) and nothing is stored.
     */
    public StoredImage upload(byte[] bytes, BooleanSupplier clientGone) {
        Threads.blocking("decoding and storing an image");
        Pixels pixels = ImageDecoder.pixels(bytes, limits(), clientGone);
        byte[] stored = pixels.deflated();
        if (clientGone.getAsBoolean()) {
            throw ImageProblem.abandoned("the client left before its image was stored");
        }
        String mediaType = ImageDecoder.mediaType(bytes, limits());
        StoredImage image = new StoredImage(idOf(bytes), mediaType, pixels.width(), pixels.height(), bytes);
        store.save(image, stored);
        keep(image.id(), pixels.image());
        return image;
    }

    /**
     * Deletes an uploaded image, freeing its share of the quota; a 404 for an unknown id, a 409 for a built-in image.
     * Runs that used it keep their stored results; a new run naming it is refused (400) like any unknown image.
     */
    public void delete(String id) {
        if (BuiltinImages.isBuiltin(id)) {
            throw ImageProblem.builtIn(id);
        }
        if (id == null || !UPLOADED.matcher(id).matches() || !store.delete(id)) {
            throw ImageProblem.unknown(id);
        }
        synchronized (decoded) {
            BufferedImage kept = decoded.remove(id);
            decodedBytes -= kept == null ? 0 : bytes(kept);
        }
    }

    /** The uploaded images, newest first. */
    public List<ImageStore.Listed> list() {
        return store.list(Integer.MAX_VALUE);
    }

    /** What the uploaded images take against their quota. */
    public ImageStore.Usage usage() {
        return store.usage();
    }

    /** The newest {@code limit} uploads, newest first, without their bytes. */
    public List<ImageStore.Listed> recent(int limit) {
        return store.list(limit);
    }

    public StoredImage get(String id) {
        if (BuiltinImages.isBuiltin(id)) {
            return new StoredImage(id, "image/png", BuiltinImages.size(), BuiltinImages.size(), BuiltinImages.png(id));
        }
        if (id == null || !UPLOADED.matcher(id).matches()) {
            throw ImageProblem.unknown(id);
        }
        return store.find(id).orElseThrow(() -> ImageProblem.unknown(id));
    }

    /**
     * The image's pixels: those kept since its upload or last use, else those stored; an image stored before V12 is
     * decoded under the decoder's limits (one stored before a limit was added is refused by it now) and its pixels
     * stored then. A built-in image is made and decoded (it is small). Callers must not draw on the image: it is
     * shared.
     */
    public BufferedImage decode(String id) {
        synchronized (decoded) {
            BufferedImage kept = decoded.get(id);
            if (kept != null) {
                return kept;
            }
        }
        Threads.blocking("reading an image's pixels");
        Pixels pixels = BuiltinImages.isBuiltin(id) ? null : store.pixels(id).orElse(null);
        if (pixels == null) {
            StoredImage image = get(id);
            pixels = ImageDecoder.pixels(image.data(), limits(), () -> false);
            if (!image.builtIn()) {
                store.backfill(id, pixels.deflated());
            }
        }
        BufferedImage image = pixels.image();
        keep(id, image);
        return image;
    }

    /** Forgets the pixels kept in memory, as a restart does (for tests of what is read from the store). */
    void forgetKept() {
        synchronized (decoded) {
            decoded.clear();
            decodedBytes = 0;
        }
    }

    private void keep(String id, BufferedImage image) {
        long bytes = bytes(image);
        synchronized (decoded) {
            BufferedImage old = decoded.put(id, image);
            decodedBytes += bytes - (old == null ? 0 : bytes(old));
            var eldest = decoded.entrySet().iterator();
            while (decodedBytes > DECODED_BYTES && eldest.hasNext()) {
                var e = eldest.next();
                if (e.getValue() != image) {
                    decodedBytes -= bytes(e.getValue());
                    eldest.remove();
                }
            }
        }
    }

    private static long bytes(BufferedImage image) {
        java.awt.image.DataBuffer data = image.getRaster().getDataBuffer();
        return (long) data.getSize() * data.getNumBanks() * java.awt.image.DataBuffer.getDataTypeSize(data.getDataType()) / 8;
    }

    /** Per layer and token the L2 norm of the residual stream, and a ViT classifier's top labels. */
    public ImageActivationsResult activations(String id, String model) {
        BufferedImage image = decode(id);
        return onDevice(model, m -> {
            try (NDManager scope = m.newScope()) {
                NDArray x = ImageActivations.pixelValues(m, image, scope);
                NDArray states = ImageActivations.hiddenStates(m, x); // [L + 1, T, d]
                NDArray norms = states.square().sum(new int[] {2}).sqrt();
                List<ImageActivationsResult.Layer> layers = new ArrayList<>();
                for (int l = 0; l < states.getShape().get(0); l++) {
                    layers.add(new ImageActivationsResult.Layer(l, l == 0 ? Hooks.residPre(0) : Hooks.residPost(l - 1),
                            norms.get(l).toFloatArray()));
                }
                int grid = m.images().vision().grid();
                return new ImageActivationsResult(id, m.id(), 1 + grid * grid, grid, layers, predictions(m, states));
            }
        });
    }

    /** The classifier on CLS after the final norm, as ViTForImageClassification; none for a hybrid or a bare ViT. */
    private static List<ImageActivationsResult.Prediction> predictions(LoadedModel m, NDArray states) {
        List<String> labels = m.images().vision().labels();
        if (m.config().architecture() != ModelConfig.Architecture.VIT || labels.isEmpty()) {
            return List.of();
        }
        NDArray last = states.get(states.getShape().get(0) - 1).get("0:1"); // CLS of the last block, [1, d]
        float[] probs = m.transformer().unembed(m.transformer().finalNorm(last)).softmax(-1).toFloatArray();
        List<ImageActivationsResult.Prediction> top = new ArrayList<>();
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        for (int k = 0; k < Math.min(TOP_LABELS, order.length); k++) {
            top.add(new ImageActivationsResult.Prediction(labels.get(order[k]), probs[order[k]]));
        }
        return top;
    }

    /** A safetensors file: pixel_values [1, C, H, W] and hidden_states [L + 1, T, d], float32. */
    public byte[] safetensors(String id, String model) {
        BufferedImage image = decode(id);
        return onDevice(model, m -> {
            try (NDManager scope = m.newScope()) {
                NDArray x = ImageActivations.pixelValues(m, image, scope);
                NDArray states = ImageActivations.hiddenStates(m, x);
                return new SafetensorsWriter()
                        .add("pixel_values", x.getShape().getShape(), x.toFloatArray())
                        .add("hidden_states", states.getShape().getShape(), states.toFloatArray())
                        .toBytes();
            }
        });
    }

    private <T> T onDevice(String model, Function<LoadedModel, T> work) {
        Threads.blocking("waiting for the device");
        return Futures.join(pool.run(model, work));
    }

    private static String idOf(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
