package dev.deltatok.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void recognisesSettingsThatHoldCredentials() {
        assertThat(Secrets.isSecret("sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecret("ssl.truststore.password")).isTrue();
        assertThat(Secrets.isSecret("ssl.key.password")).isTrue();
        assertThat(Secrets.isSecret("sasl.oauthbearer.client.credentials.client.secret")).isTrue();
        assertThat(Secrets.isSecret("ssl.keystore.key")).isTrue();
        assertThat(Secrets.isSecret("security.protocol")).isFalse();
        assertThat(Secrets.isSecret("ssl.truststore.location")).isFalse();
        assertThat(Secrets.isSecret("sasl.mechanism")).isFalse();
    }

    @Test
    void masksJaasPasswordsAndPropertyAssignmentsInText() {
        String jaas =
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"app\" password=\"hunter2-x\";";
        assertThat(Secrets.redact(jaas))
                .contains("username=\"app\"")
                .contains("password=\"***\"")
                .doesNotContain("hunter2-x");
        assertThat(Secrets.redact("bad value ssl.truststore.password=ts-pw-1, next"))
                .isEqualTo("bad value ssl.truststore.password=***, next");
        assertThat(Secrets.redact("{sasl.jaas.config=Module required password='p1';}"))
                .doesNotContain("p1");
        assertThat(Secrets.redact("client.secret: abc123 rest")).doesNotContain("abc123");
        assertThat(Secrets.redact("nothing to hide here")).isEqualTo("nothing to hide here");
    }
}
