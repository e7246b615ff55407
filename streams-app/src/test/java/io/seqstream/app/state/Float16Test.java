package io.seqstream.app.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Float16Test {

    @Test
    void shouldEncodeKnownValues() {
        assertThat(Float16.fromFloat(1.0f)).isEqualTo((short) 0x3C00);
        assertThat(Float16.fromFloat(-2.0f)).isEqualTo((short) 0xC000);
        assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(Float16.fromFloat(65520f)).as("rounds up to infinity").isEqualTo((short) 0x7C00);
        assertThat(Float16.fromFloat(6.103515625e-5f)).as("smallest normal").isEqualTo((short) 0x0400);
        assertThat(Float16.fromFloat(5.9604645e-8f)).as("smallest subnormal").isEqualTo((short) 0x0001);
        assertThat(Float16.fromFloat(1e-9f)).isEqualTo((short) 0);
        assertThat(Float16.fromFloat(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
        assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
    }

    @Test
    void shouldRoundTripEveryHalfExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = Float16.toFloat((short) bits);
            if (!Float.isNaN(f)) {
                assertThat(Float16.fromFloat(f) & 0xFFFF).as("half %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void shouldRoundToNearestWithinHalfAnUlp() {
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 100_000; i++) {
            float f = (random.nextFloat() * 2 - 1) * (float) Math.pow(2, random.nextInt(20) - 12);
            float back = Float16.toFloat(Float16.fromFloat(f));
            float ulp = Math.max(Math.ulp(back) * 8192, 5.9604645e-8f); // a half's ulp at this magnitude
            assertThat(Math.abs(back - f)).as("%s -> %s", f, back).isLessThanOrEqualTo(ulp / 2 * 1.0001f);
        }
    }
}
