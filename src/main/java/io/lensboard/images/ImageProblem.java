package io.lensboard.images;

import io.lensboard.Problem;

/** An image request that cannot be served, with the HTTP status that says why (the message says what to change). */
public class ImageProblem extends Problem {
    private ImageProblem(int status, String message) {
        super(status, message);
    }

    static ImageProblem tooLarge(String message) {
        return new ImageProblem(413, message);
    }

    static ImageProblem notAnImage(String message) {
        return new ImageProblem(415, message);
    }

    static ImageProblem undecodable(String message) {
        return new ImageProblem(422, message);
    }

    static ImageProblem busy(String message) {
        return new ImageProblem(503, message);
    }

    /**
     * 499 (nginx's "client closed request"): the client left before its upload was decoded. Nobody reads the answer;
     * the status keeps it apart from the server's failures in the log.
     */
    static ImageProblem abandoned(String message) {
        return new ImageProblem(499, message);
    }

    static ImageProblem pixelQuota(String message) {
        return new ImageProblem(409, message);
    }

    static ImageProblem builtIn(String id) {
        return new ImageProblem(409, "'" + id + "' is built in and cannot be deleted; only uploaded images can");
    }

    static ImageProblem unknown(String id) {
        return new ImageProblem(404, "no image '" + id + "': upload one, or use a built-in one ("
                + String.join(", ", BuiltinImages.IDS) + ")");
    }
}
