package io.seqstream.app.input;

import java.util.List;

/**
 * An input record's tokens, in order, and whether it closes its sequence.
 *
 * @param tokens the tokens as received (before vocabulary lookup); may be empty when {@code end} is set
 */
public record ParsedEvent(List<String> tokens, boolean end) {
    public ParsedEvent {
        tokens = List.copyOf(tokens);
    }
}
