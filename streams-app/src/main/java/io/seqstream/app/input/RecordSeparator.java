package io.seqstream.app.input;

import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import java.util.List;

/**
 * What is scored between two records of one key with {@code text} input ({@code input.text.record-separator}), so
 * that a stream of one line per record reads like the text the model learned from: a char model trained on text
 * with its newlines sees {@code "ROMEO:\nBut soft, ..."}, not {@code "ROMEO:But soft, ..."}.
 */
public final class RecordSeparator {
    public static final String AUTO = "auto";
    public static final String NONE = "none";

    private RecordSeparator() {
    }

    /**
     * The separator's tokens for this input format and vocabulary; empty when nothing is scored between records.
     *
     * @param setting {@value #AUTO} (a newline for char models whose vocabulary has one, else nothing),
     *                {@value #NONE}, or the separator itself with {@code \n}, {@code \t} and {@code \\} escapes
     */
    public static List<String> tokens(String setting, InputFormat format, Vocabulary vocabulary) {
        if (format != InputFormat.TEXT || setting.equals(NONE) || setting.isEmpty() || vocabulary.isNumeric()) {
            return List.of(); // a numeric model's records are values: nothing is scored between them
        }
        if (setting.equals(AUTO)) {
            return vocabulary.kind() == VocabularyKind.CHAR && vocabulary.contains("\n") ? List.of("\n") : List.of();
        }
        return vocabulary.tokenize(unescape(setting));
    }

    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
