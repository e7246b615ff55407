package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchModelTest {

    @Test
    void shouldCountFlopsPerEventAsGateAndOutputGemms() {
        // 2·(E+H)·4H + 2·(H+H)·4H per further layer + 2·H·V
        assertThat(BenchModel.SMALL.flopsPerEvent()).isEqualTo(2L * 160 * 512 + 2L * 128 * 128);
        assertThat(BenchModel.LARGE.flopsPerEvent()).isEqualTo(2L * 320 * 1024 + 2L * 512 * 1024 + 2L * 256 * 5000);
    }

    @Test
    void shouldDescribeItselfToThePeer() {
        assertThat(BenchModel.LARGE.peerSpec()).isEqualTo("large:5000:64:256:2");
        assertThat(BenchModel.SMALL.shape()).isEqualTo("V128 E32 H128 L1");
    }

    @Test
    void shouldGiveBothModelsTheSameOrdinaryTokens() {
        assertThat(BenchModels.vocabulary(BenchModel.SMALL.vocab()).tokens())
                .isEqualTo(BenchModels.vocabulary(BenchModel.LARGE.vocab()).tokens().subList(0, 128));
        assertThat(BenchModels.vocabulary(128).id("t127")).isEqualTo(127);
    }
}
