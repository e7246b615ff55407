package io.seqstream.kafka;

/** The embedded Kafka broker failed to start or to stop, or a topic could not be created. */
public final class EmbeddedKafkaException extends RuntimeException {

    public EmbeddedKafkaException(String message, Throwable cause) {
        super(message, cause);
    }

    public EmbeddedKafkaException(String message) {
        super(message);
    }
}
