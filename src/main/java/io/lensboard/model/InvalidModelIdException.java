package io.lensboard.model;

/**
 * A model id that is malformed or unsafe; the message names the bad part and what to write instead (the web
 * layer answers 400 (ApiErrors maps it by name): the model layer does not depend on analysis's
 * InvalidInputException).
 */
public class InvalidModelIdException extends IllegalArgumentException {
    public InvalidModelIdException(String message) {
        super(message);
    }
}
