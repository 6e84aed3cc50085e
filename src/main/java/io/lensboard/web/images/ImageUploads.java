package io.lensboard.web.images;

import io.lensboard.Threads;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.images.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
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
}
