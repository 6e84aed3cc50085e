package io.lensboard.web.images;

import io.lensboard.Threads;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.images.ImageDecoder;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.util.function.BooleanSupplier;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** An image upload as the API and the images page both take it: the multipart field 'file'. */
final class ImageUploads {
    private ImageUploads() {}

    /** The uploaded file's bytes; its size is checked before it is read. */
    static byte[] read(FileUpload file, ImageDecoder.Limits limits) throws IOException {
        if (file == null) {
            throw new InvalidInputException("no file: send the image as the multipart field 'file'");
        }
        Threads.blocking("reading an upload");
        ImageDecoder.checkByteCount(file.size(), limits);
        return Files.readAllBytes(file.uploadedFile());
    }

    /**
     * Whether the upload's client has left (its connection closed): the decoder asks between rows and stops. Asked,
     * not told through {@code closeHandler}, which holds one handler and would replace the server's own.
     */
    static BooleanSupplier clientGone(HttpServerResponse response) {
        return response::closed;
    }
}
