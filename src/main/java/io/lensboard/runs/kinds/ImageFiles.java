package io.lensboard.runs.kinds;

import io.lensboard.model.VisionConfig;
import io.lensboard.model.checkpoint.SafetensorsWriter;

/** The image kinds' downloadable tensor. */
final class ImageFiles {
    private ImageFiles() {}

    /** A safetensors file with {@code pixel_values} [1, C, H, W], float32, as the model reads it. */
    static byte[] safetensors(float[] x, VisionConfig v) {
        return new SafetensorsWriter().add("pixel_values", new long[] {1, v.channels(), v.imageSize(), v.imageSize()}, x).toBytes();
    }
}
