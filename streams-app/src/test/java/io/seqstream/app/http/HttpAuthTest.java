package io.seqstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpAuthTest {

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldLetEveryoneInWithoutAuth() {
        HttpAuth none = HttpAuth.none();

        assertThat(none.required()).isFalse();
        assertThat(none.permits(null)).isTrue();
        assertThat(none.permits("Bearer whatever")).isTrue();
    }

    @Test
    void shouldPermitOnlyTheExactBearerToken() {
        HttpAuth bearer = HttpAuth.bearer("s3cret-token");

        assertThat(bearer.permits("Bearer s3cret-token")).isTrue();
        assertThat(bearer.permits("bearer s3cret-token")).as("the scheme is case-insensitive").isTrue();
        assertThat(bearer.permits(null)).isFalse();
        assertThat(bearer.permits("Bearer s3cret-toke")).as("a prefix").isFalse();
        assertThat(bearer.permits("Bearer s3cret-token2")).as("a longer token").isFalse();
        assertThat(bearer.permits("s3cret-token")).as("no scheme").isFalse();
        assertThat(bearer.permits(basic("s3cret-token"))).as("another scheme").isFalse();
        assertThat(bearer.challenge()).isEqualTo("Bearer realm=\"seqstream\"");
    }

    @Test
    void shouldPermitOnlyTheRightBasicUserAndPassword() {
        HttpAuth auth = HttpAuth.basic("ops", "pa:ss");

        assertThat(auth.permits(basic("ops:pa:ss"))).isTrue();
        assertThat(auth.permits(basic("ops:pa:sx"))).isFalse();
        assertThat(auth.permits(basic("opz:pa:ss"))).isFalse();
        assertThat(auth.permits("Basic not-base64!")).isFalse();
        assertThat(auth.permits("Bearer ops:pa:ss")).isFalse();
        assertThat(auth.challenge()).startsWith("Basic realm=\"seqstream\"");
    }

    @Test
    void shouldBuildTheSchemeFromTheSettingsAndRefuseMissingCredentials() {
        SeqstreamConfig bearer = SeqstreamConfig.of(Map.of(Setting.HTTP_AUTH.key(), "bearer",
                Setting.HTTP_AUTH_TOKEN.key(), "t0ken"));

        assertThat(HttpAuth.from(bearer).permits("Bearer t0ken")).isTrue();
        assertThat(HttpAuth.from(SeqstreamConfig.of(Map.of())).required()).isFalse();
        assertThat(bearer.toString()).doesNotContain("t0ken");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of(Setting.HTTP_AUTH.key(), "bearer")))
                .hasMessageContaining("http.auth.token").hasMessageContaining("SEQSTREAM_HTTP_AUTH_TOKEN");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of(Setting.HTTP_AUTH.key(), "basic",
                Setting.HTTP_AUTH_USER.key(), "ops"))).hasMessageContaining("http.auth.password");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of(Setting.HTTP_AUTH.key(), "digest")))
                .hasMessageContaining("none, bearer or basic");
    }
}
