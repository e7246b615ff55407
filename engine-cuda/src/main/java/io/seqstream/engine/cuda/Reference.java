package io.seqstream.engine.cuda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reference outputs of a model computed elsewhere (DL4J's {@code rnnTimeStep} on the CPU): R keys stepped T times,
 * each step consuming {@code tokens[r][t]} and scoring {@code tokens[r][t + 1]}.
 *
 * @param tokens [R][T + 1] token ids ({@code tokens[r][0]} is {@code <s>})
 * @param probability [R][T] the probability of the observed token
 * @param rank [R][T] its rank (1 = most likely)
 * @param topIds [R][T][K] the top-K ids, most likely first
 * @param topProbabilities [R][T][K]
 */
public record Reference(int[][] tokens, float[][] probability, int[][] rank, int[][][] topIds,
                        float[][][] topProbabilities) {
    private static final int MAGIC = 0x53514c52; // "SQLR"

    public int keys() {
        return tokens.length;
    }

    public int steps() {
        return probability[0].length;
    }

    public int topK() {
        return topIds[0][0].length;
    }

    public void write(Path file) throws IOException {
        int r = keys();
        int t = steps();
        int k = topK();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            out.writeInt(r);
            out.writeInt(t);
            out.writeInt(k);
            for (int i = 0; i < r; i++) {
                for (int j = 0; j <= t; j++) {
                    out.writeInt(tokens[i][j]);
                }
                for (int j = 0; j < t; j++) {
                    out.writeFloat(probability[i][j]);
                    out.writeInt(rank[i][j]);
                    for (int q = 0; q < k; q++) {
                        out.writeInt(topIds[i][j][q]);
                        out.writeFloat(topProbabilities[i][j][q]);
                    }
                }
            }
        }
    }

    public static Reference read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a seqstream reference file");
            }
            int r = in.readInt();
            int t = in.readInt();
            int k = in.readInt();
            int[][] tokens = new int[r][t + 1];
            float[][] p = new float[r][t];
            int[][] rank = new int[r][t];
            int[][][] ids = new int[r][t][k];
            float[][][] topP = new float[r][t][k];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j <= t; j++) {
                    tokens[i][j] = in.readInt();
                }
                for (int j = 0; j < t; j++) {
                    p[i][j] = in.readFloat();
                    rank[i][j] = in.readInt();
                    for (int q = 0; q < k; q++) {
                        ids[i][j][q] = in.readInt();
                        topP[i][j][q] = in.readFloat();
                    }
                }
            }
            return new Reference(tokens, p, rank, ids, topP);
        }
    }
}
