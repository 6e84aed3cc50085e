package io.lensboard.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The image side of a ViT's config: a square image of {@code imageSize} pixels cut into patches of
 * {@code patchSize} (raster order), {@code channels} colour channels, the classifier's labels (empty when the
 * checkpoint is a bare ViTModel) and the preprocessing (ViTImageProcessor) that turns a picture into pixel_values.
 */
public record VisionConfig(int imageSize, int patchSize, int channels, List<String> labels, ImageProcessor processor) {

    /** Pixels per side: 4,096 is 65,536 patches of 16, far more than any published ViT reads. */
    static final int MAX_IMAGE = 4096;

    /** Patches per side. */
    public int grid() {
        return imageSize / patchSize;
    }

    /** Tokens: CLS, then one per patch (token t >= 1 is patch t - 1). */
    public int tokens() {
        return 1 + grid() * grid();
    }

    static VisionConfig read(JsonNode c, Path file) {
        int imageSize = ModelConfig.required(c, "image_size", file);
        int patchSize = ModelConfig.required(c, "patch_size", file);
        int channels = ModelConfig.optional(c, "num_channels", 3, file);
        if (imageSize < 1 || imageSize > MAX_IMAGE) {
            throw new CheckpointException(file + ": image_size must be from 1 to " + MAX_IMAGE + ", got " + imageSize);
        }
        if (patchSize <= 0 || imageSize % patchSize != 0) {
            throw new CheckpointException(file + ": image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
        }
        if (channels != 1 && channels != 3) {
            throw new CheckpointException(file + ": num_channels " + channels + " is neither 1 (grey) nor 3 (RGB)");
        }
        ImageProcessor processor = ImageProcessor.read(file.resolveSibling("preprocessor_config.json"), imageSize, channels);
        return new VisionConfig(imageSize, patchSize, channels, labels(c), processor);
    }

    /** id2label in id order, for ViTForImageClassification only: a bare ViTModel's config may carry labels it has no head for. */
    private static List<String> labels(JsonNode c) {
        boolean classifier = false;
        for (JsonNode a : c.path("architectures")) {
            classifier |= a.asText().endsWith("ForImageClassification");
        }
        JsonNode id2label = c.path("id2label");
        if (!classifier || id2label.isEmpty()) {
            return List.of();
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < id2label.size(); i++) {
            labels.add(id2label.path(String.valueOf(i)).asText("LABEL_" + i));
        }
        return List.copyOf(labels);
    }
}
