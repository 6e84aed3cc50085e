package io.lensboard.runs.kinds;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.PixelImages;
import io.lensboard.images.ImageProblem;
import io.lensboard.images.ImageService;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.VisionConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;

/**
 * Where the image kinds' pictures come from: {@code noise} (seeded) or {@code image:{id}} (an uploaded or built-in
 * image, {@code GET /api/images/{id}}), as pixel_values for a model.
 */
@ApplicationScoped
public class ImageInputs {
    private static final String IMAGE = "image:";

    @Inject
    ImageService images;

    /** Checks at submission that {@code value} names a start this class can make; a 400 names {@code param}. */
    public void check(String param, String value, boolean noiseAllowed) {
        if (noiseAllowed && "noise".equals(value)) {
            return;
        }
        if (value == null || !value.startsWith(IMAGE)) {
            throw new InvalidInputException(param + " must be " + (noiseAllowed ? "'noise' or " : "") + "'image:ID' (an id from "
                    + "POST /api/images, or a built-in one such as image:builtin:shapes); got '" + value + "'");
        }
        try {
            images.get(value.substring(IMAGE.length()));
        } catch (ImageProblem e) {
            throw new InvalidInputException(param + ": " + e.getMessage());
        }
    }

    /** The URL of an {@code image:ID} value. */
    public static String url(String value) {
        return "/api/images/" + value.substring(IMAGE.length());
    }

    /**
     * Reads an {@code image:ID} value's pixels on the calling thread (the run thread, from a kind's {@code prepare}):
     * stored since its upload (or decoded once, for an image stored before pixels were), so that {@link #pixels} on
     * the device thread finds them among those {@link ImageService} keeps in memory and never reads the database or
     * decodes there. Only a burst of other images read before the run opens could push it out again.
     */
    public void prepare(String value) {
        if (value.startsWith(IMAGE)) {
            images.decode(value.substring(IMAGE.length()));
        }
    }

    /** pixel_values [C * H * W] of {@code value} for the model, preprocessed as its processor says. */
    public float[] pixels(LoadedModel model, String value, long seed) {
        VisionConfig v = model.images().vision();
        if ("noise".equals(value)) {
            return PixelImages.noise(v, seed);
        }
        BufferedImage image = images.decode(value.substring(IMAGE.length()));
        return v.processor().pixelValues(image, v.channels());
    }
}
