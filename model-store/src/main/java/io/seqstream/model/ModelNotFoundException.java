package io.seqstream.model;

/** The store has no such model, or no such version of it. */
public final class ModelNotFoundException extends ModelException {
    public ModelNotFoundException(String message) {
        super(message);
    }
}
