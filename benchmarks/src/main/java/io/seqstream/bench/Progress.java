package io.seqstream.bench;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on stderr: a line per phase and per result, stamped with the seconds since the start, and, on a
 * terminal only, a bar while a long step runs (a bar's redraws would clutter a log file).
 */
final class Progress {
    private final PrintStream err;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();

    Progress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    static Progress toStderr() {
        return new Progress(System.err, System.console() != null);
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    void line(String format, Object... args) {
        err.printf(Locale.ROOT, "[bench %6.1fs] %s%n", elapsedSeconds(), String.format(Locale.ROOT, format, args));
        err.flush();
    }

    /** A bar counting up to {@code max} units; a no-op off a terminal. */
    Bar bar(String task, long max, String unit) {
        if (!terminal) {
            return new Bar(null);
        }
        return new Bar(new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .build());
    }

    /** A progress bar, or nothing. */
    static final class Bar implements AutoCloseable {
        private final ProgressBar bar;

        private Bar(ProgressBar bar) {
            this.bar = bar;
        }

        void stepTo(long n) {
            if (bar != null) {
                bar.stepTo(n);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
