package io.seqstream.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 bytes into a {@link Writer}, so a {@code PrintStream} can write to picocli's error writer. */
final class WriterOutputStream extends OutputStream {
    private final Writer writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer bytes = ByteBuffer.allocate(4096);
    private final CharBuffer chars = CharBuffer.allocate(4096);

    WriterOutputStream(Writer writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, bytes.remaining());
            bytes.put(b, off, n);
            off += n;
            len -= n;
            decode();
        }
    }

    private void decode() throws IOException {
        bytes.flip();
        while (true) {
            var result = decoder.decode(bytes, chars, false);
            chars.flip();
            writer.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
            chars.clear();
            if (!result.isOverflow()) {
                break;
            }
        }
        bytes.compact(); // keeps an incomplete multi-byte character for the next write
    }

    @Override
    public synchronized void flush() throws IOException {
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
