package io.seqstream.app.state;

/**
 * IEEE 754 binary16 conversions (what {@code Float.floatToFloat16} does from Java 20 on): round to nearest
 * even, with subnormals, infinities and NaN kept.
 */
final class Float16 {
    private Float16() {
    }

    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) { // infinity or NaN
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) { // overflow to infinity
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) { // subnormal or zero
            if (e < -10) {
                return (short) sign;
            }
            int m = (mantissa | 0x800000) >> (1 - e);
            if ((m & 0x1FFF) > 0x1000 || ((m & 0x1FFF) == 0x1000 && (m & 0x2000) != 0)) {
                m += 0x2000;
            }
            return (short) (sign | (m >> 13));
        }
        int half = sign | (e << 10) | (mantissa >> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the right rounding (up to infinity)
        }
        return (short) half;
    }

    static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float value = mantissa / 1024f / 16384f; // 2^-14 * m/1024
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
