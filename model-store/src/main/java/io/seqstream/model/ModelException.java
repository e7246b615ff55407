package io.seqstream.model;

/** A problem with a model version: not found, malformed, or failing verification. */
public class ModelException extends Exception {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
