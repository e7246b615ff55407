package io.seqstream.app.http;

/** What answers {@code GET /keys/{key}} ({@link KeyQueries} in the application). */
@FunctionalInterface
public interface KeyLookup {

    /** An HTTP answer: status and JSON body. */
    record Answer(int status, byte[] body) {
    }

    /**
     * @param key the key, URL-decoded
     * @param authorization the caller's {@code Authorization} header (passed on when forwarding), or null
     * @param forwarded true when another instance forwarded this request here
     */
    Answer query(String key, String authorization, boolean forwarded);
}
