package io.lensboard.model;

import io.lensboard.Problem;

/**
 * A checkpoint that cannot be used (422: the request was fine, the checkpoint on disk is not); the message names the
 * file and, where there is one, the tensor.
 */
public class CheckpointException extends Problem {
    public CheckpointException(String message) {
        super(422, message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(422, message, cause);
    }
}
