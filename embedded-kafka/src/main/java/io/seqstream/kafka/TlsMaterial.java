package io.seqstream.kafka;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A throwaway certificate authority, a broker certificate it signed for {@code localhost} and {@code 127.0.0.1}
 * (in a PKCS12 key store with its chain), and a PKCS12 trust store holding only that CA, for clients.
 *
 * <p>Made in-process when a secured cluster first starts in a directory (EC P-256 keys, SHA256withECDSA; the
 * certificates are DER-encoded here because the JDK has no public API for issuing one, and {@code keytool}
 * costs seconds per call), and reused by a later start there: a restarted broker keeps its certificate, so
 * clients keep trusting it. The CA's private key is never written. One random password protects both stores;
 * it is kept beside them, readable only by the owner.
 */
record TlsMaterial(Path brokerKeyStore, Path clientTrustStore, String password) {

    private static final String PASSWORD_FILE = "store.password";
    private static final String BROKER_STORE = "broker.p12";
    private static final String TRUST_STORE = "client-truststore.p12";
    private static final String CA_PEM = "ca.pem";
    private static final Duration VALIDITY = Duration.ofDays(30);
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";

    /** The material in {@code directory}, made there first if it holds none. */
    static TlsMaterial in(Path directory) {
        try {
            Path passwordFile = directory.resolve(PASSWORD_FILE);
            if (Files.isRegularFile(passwordFile)) {
                return new TlsMaterial(directory.resolve(BROKER_STORE), directory.resolve(TRUST_STORE),
                        Files.readString(passwordFile, StandardCharsets.UTF_8).strip());
            }
            Files.createDirectories(directory);
            return generate(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the embedded Kafka broker's TLS material in " + directory, e);
        } catch (GeneralSecurityException e) {
            throw new EmbeddedKafkaException("Cannot make the embedded Kafka broker's TLS material in " + directory, e);
        }
    }

    private static TlsMaterial generate(Path dir) throws IOException, GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        char[] pw = password.toCharArray();

        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair brokerKeys = generator.generateKeyPair();
        String caName = "seqstream embedded Kafka test CA";
        X509Certificate ca = certificate(caName, caKeys.getPublic(), caName, caKeys.getPrivate(), true, random);
        X509Certificate broker = certificate("localhost", brokerKeys.getPublic(), caName, caKeys.getPrivate(), false,
                random);

        KeyStore brokerStore = KeyStore.getInstance("PKCS12");
        brokerStore.load(null, null);
        brokerStore.setKeyEntry("broker", brokerKeys.getPrivate(), pw, new Certificate[] {broker, ca});
        Path brokerFile = dir.resolve(BROKER_STORE);
        store(brokerStore, brokerFile, pw);
        ownerOnly(brokerFile);

        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", ca);
        Path trustFile = dir.resolve(TRUST_STORE);
        store(trustStore, trustFile, pw);
        Files.writeString(dir.resolve(CA_PEM), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);

        // The password last: its presence says the material is complete.
        Path passwordFile = dir.resolve(PASSWORD_FILE);
        Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
        ownerOnly(passwordFile);
        return new TlsMaterial(brokerFile, trustFile, password);
    }

    /** An X.509 v3 certificate for {@code subject}, signed by {@code issuer}'s key; a CA or a server for localhost. */
    private static X509Certificate certificate(String subject, PublicKey subjectKey, String issuer, PrivateKey issuerKey,
                                               boolean authority, SecureRandom random) throws GeneralSecurityException {
        Instant now = Instant.now();
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
        byte[] basicConstraints = Der.extension(BASIC_CONSTRAINTS, true,
                authority ? Der.sequence(Der.tlv(0x01, new byte[] {(byte) 0xFF})) : Der.sequence());
        byte[] extensions = authority ? Der.sequence(basicConstraints)
                : Der.sequence(basicConstraints, Der.extension(SUBJECT_ALT_NAME, false, Der.sequence(
                        Der.tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)), // dNSName
                        Der.tlv(0x87, new byte[] {127, 0, 0, 1}))));                     // iPAddress
        byte[] tbs = Der.sequence(
                Der.tlv(0xA0, Der.integer(BigInteger.TWO)),                              // version: v3
                Der.integer(new BigInteger(63, random).add(BigInteger.ONE)),
                algorithm,
                Der.name(issuer),
                Der.sequence(Der.utcTime(now.minus(Duration.ofHours(1))), Der.utcTime(now.plus(VALIDITY))),
                Der.name(subject),
                subjectKey.getEncoded(),                                                 // SubjectPublicKeyInfo
                Der.tlv(0xA3, extensions));
        Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
        signer.initSign(issuerKey);
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bits = new byte[signature.length + 1];                                   // no unused bits
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] der = Der.sequence(tbs, algorithm, Der.tlv(0x03, bits));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static void store(KeyStore keyStore, Path file, char[] password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore.store(out, password);
        }
    }

    private static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the directory's own permissions protect it.
        }
    }

    /** The few DER encodings a certificate needs. */
    private static final class Der {
        private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
                .withZone(ZoneOffset.UTC);

        private Der() {
        }

        static byte[] tlv(int tag, byte[]... contents) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] content : contents) {
                body.writeBytes(content);
            }
            int length = body.size();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(tag);
            if (length < 0x80) {
                out.write(length);
            } else {
                byte[] bytes = BigInteger.valueOf(length).toByteArray();
                int start = bytes[0] == 0 ? 1 : 0;
                out.write(0x80 | (bytes.length - start));
                out.write(bytes, start, bytes.length - start);
            }
            out.writeBytes(body.toByteArray());
            return out.toByteArray();
        }

        static byte[] sequence(byte[]... contents) {
            return tlv(0x30, contents);
        }

        static byte[] integer(BigInteger value) {
            return tlv(0x02, value.toByteArray());
        }

        static byte[] oid(String dotted) {
            String[] parts = dotted.split("\\.");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
            for (int i = 2; i < parts.length; i++) {
                long arc = Long.parseLong(parts[i]);
                byte[] groups = new byte[10];
                int n = 0;
                do {
                    groups[n++] = (byte) (arc & 0x7F);
                    arc >>>= 7;
                } while (arc != 0);
                for (int j = n - 1; j >= 0; j--) {
                    out.write(groups[j] | (j > 0 ? 0x80 : 0));
                }
            }
            return tlv(0x06, out.toByteArray());
        }

        /** A distinguished name with one common name. */
        static byte[] name(String commonName) {
            return sequence(tlv(0x31, sequence(oid(COMMON_NAME), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
        }

        static byte[] utcTime(Instant instant) {
            return tlv(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
        }

        static byte[] extension(String oid, boolean critical, byte[] value) {
            return critical ? sequence(oid(oid), tlv(0x01, new byte[] {(byte) 0xFF}), tlv(0x04, value))
                    : sequence(oid(oid), tlv(0x04, value));
        }
    }
}
