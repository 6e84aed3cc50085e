package io.lensboard.model;

import io.lensboard.Problem;

/**
 * A model id that is malformed or unsafe (400); the message names the bad part and what to write instead. Its own
 * class because the model layer does not depend on analysis's InvalidInputException.
 */
public class InvalidModelIdException extends Problem {
    public InvalidModelIdException(String message) {
        super(400, message);
    }
}
