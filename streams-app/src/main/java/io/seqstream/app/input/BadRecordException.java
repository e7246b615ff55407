package io.seqstream.app.input;

/** An input record that cannot be scored; it goes to the dead-letter topic with {@link #reason()}. */
public final class BadRecordException extends Exception {
    private final String reason;

    /**
     * @param reason a short, stable, low-cardinality code (a metric tag and a header value)
     * @param detail what exactly was wrong, for a person
     */
    public BadRecordException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
