package io.seqstream.eval.nab;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/** Parses NAB's timestamps: {@code 2014-04-10 07:15:00} in data files, {@code 2014-04-10 07:15:00.000000} in labels. */
public final class NabTimestamps {
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd[ ]['T']HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    /** How NAB's data files write timestamps. */
    public static final DateTimeFormatter DATA_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private NabTimestamps() {
    }

    public static LocalDateTime parse(String text) {
        try {
            return LocalDateTime.parse(text.strip(), FORMAT);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a NAB timestamp (yyyy-MM-dd HH:mm:ss[.ffffff]): " + text, e);
        }
    }
}
