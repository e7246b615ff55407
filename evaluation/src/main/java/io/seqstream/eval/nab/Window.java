package io.seqstream.eval.nab;

import java.time.LocalDateTime;

/** One labelled anomaly window, both ends inclusive; both timestamps must be records of the file. */
public record Window(LocalDateTime start, LocalDateTime end) {
    public Window {
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("window ends before it starts: " + start + " .. " + end);
        }
    }
}
