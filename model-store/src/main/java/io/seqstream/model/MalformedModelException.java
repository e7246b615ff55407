package io.seqstream.model;

/** A model version exists but is incomplete, corrupt or inconsistent; the message names the file at fault. */
public final class MalformedModelException extends ModelException {
    public MalformedModelException(String message) {
        super(message);
    }

    public MalformedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
