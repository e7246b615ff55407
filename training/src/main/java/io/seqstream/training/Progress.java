package io.seqstream.training;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/** A per-epoch progress bar in tokens, showing tokens/s and the running training loss; silent without a stream. */
final class Progress implements AutoCloseable {
    /** Rendered width when the stream is not the terminal. */
    private static final int WIDTH = 110;

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    static Progress start(PrintStream out, int epoch, int epochs, long tokens) {
        if (out == null) {
            return new Progress(null);
        }
        // On a terminal: its width and block characters; otherwise (a file, a captured stream): plain ASCII.
        boolean terminal = System.console() != null;
        ProgressBarConsumer consumer = terminal
                ? new ConsoleProgressBarConsumer(out)
                : new ConsoleProgressBarConsumer(out, WIDTH);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("epoch " + epoch + "/" + epochs)
                .setInitialMax(tokens)
                .setUnit(" tok", 1)
                .showSpeed(new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT)))
                .setStyle(terminal ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 200 : 1000)
                .setConsumer(consumer)
                .build();
        return new Progress(bar);
    }

    void step(long tokens, double loss) {
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", loss));
            bar.stepBy(tokens);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
