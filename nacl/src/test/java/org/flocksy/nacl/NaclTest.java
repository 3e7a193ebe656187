package org.flocksy.nacl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NaCl's own known answers (the crypto_box test of NaCl and libsodium: Alice's secret key, Bob's public key,
 * the 131-byte message) for both implementations, and the two implementations against each other: every
 * box one makes, the other opens, byte for byte the same.
 */
class NaclTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] ALICE_SECRET = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_SECRET = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUBLIC = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    /** HSalsa20 of their shared Curve25519 point: NaCl's "firstkey". */
    private static final byte[] SHARED = HEX.parseHex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    private static final byte[] NONCE = HEX.parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
    private static final byte[] MESSAGE = HEX.parseHex("be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61"
            + "296cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c"
            + "60902e52f0a089bc76897040e082f937763848645e0705");
    /** What follows the 16 zero bytes of the box: the MAC, then the ciphertext. */
    private static final byte[] BOX = HEX.parseHex("f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c5"
            + "31a1186ac0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfe"
            + "abd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5");

    static List<Nacl.Box> implementations() {
        return List.of(Sodium.load(), new PureJava());
    }

    private static byte[] padded(byte[] message) {
        byte[] m = new byte[Nacl.ZERO_BYTES + message.length];
        System.arraycopy(message, 0, m, Nacl.ZERO_BYTES, message.length);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void naclsKnownAnswers(Nacl.Box nacl) {
        byte[] key = new byte[32];
        assertThat(nacl.beforenm(key, BOB_PUBLIC, ALICE_SECRET)).isZero();
        assertThat(key).isEqualTo(SHARED);
        assertThat(nacl.beforenm(key, ALICE_PUBLIC, BOB_SECRET)).isZero();
        assertThat(key).as("Bob reaches the same key").isEqualTo(SHARED);

        byte[] m = padded(MESSAGE);
        byte[] c = new byte[m.length];
        assertThat(nacl.box(c, m, m.length, NONCE, BOB_PUBLIC, ALICE_SECRET)).isZero();
        assertThat(Arrays.copyOfRange(c, 0, Nacl.BOX_ZERO_BYTES)).containsOnly(0);
        assertThat(Arrays.copyOfRange(c, Nacl.BOX_ZERO_BYTES, c.length)).isEqualTo(BOX);
        Arrays.fill(c, (byte) 0);
        assertThat(nacl.afternm(c, m, m.length, NONCE, SHARED)).isZero();
        assertThat(Arrays.copyOfRange(c, Nacl.BOX_ZERO_BYTES, c.length)).isEqualTo(BOX);
        assertThat(nacl.secretbox(c, m, m.length, NONCE, SHARED)).isZero();
        assertThat(Arrays.copyOfRange(c, Nacl.BOX_ZERO_BYTES, c.length)).as("a box is a secretbox under the shared key").isEqualTo(BOX);

        byte[] opened = new byte[c.length];
        assertThat(nacl.open(opened, c, c.length, NONCE, ALICE_PUBLIC, BOB_SECRET)).isZero();
        assertThat(opened).isEqualTo(m);
        assertThat(nacl.openAfternm(opened, c, c.length, NONCE, SHARED)).isZero();
        assertThat(nacl.secretboxOpen(opened, c, c.length, NONCE, SHARED)).isZero();
        assertThat(opened).isEqualTo(m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void aTamperedBoxDoesNotOpen(Nacl.Box nacl) {
        byte[] m = padded(MESSAGE);
        byte[] c = new byte[m.length];
        nacl.afternm(c, m, m.length, NONCE, SHARED);
        for (int at : new int[] {Nacl.BOX_ZERO_BYTES, Nacl.BOX_ZERO_BYTES + 15, Nacl.ZERO_BYTES, c.length - 1}) {
            byte[] bad = c.clone();
            bad[at] ^= 1;
            assertThat(nacl.openAfternm(new byte[c.length], bad, bad.length, NONCE, SHARED)).as("bit flipped at %d", at).isEqualTo(-1);
        }
        byte[] otherNonce = NONCE.clone();
        otherNonce[23] ^= 1;
        assertThat(nacl.openAfternm(new byte[c.length], c, c.length, otherNonce, SHARED)).isEqualTo(-1);
        assertThat(nacl.secretbox(new byte[16], new byte[16], 16, NONCE, SHARED)).as("shorter than the padding").isEqualTo(-1);
        assertThat(nacl.secretboxOpen(new byte[16], new byte[16], 16, NONCE, SHARED)).isEqualTo(-1);
    }

    @Test
    void theTwoImplementationsAgreeOnEveryFrameSize() {
        Nacl.Box sodium = Sodium.load();
        Nacl.Box java = new PureJava();
        SplittableRandom random = new SplittableRandom(17);
        byte[] alicePublic = new byte[32];
        byte[] aliceSecret = new byte[32];
        sodium.keypair(alicePublic, aliceSecret);
        byte[] bobPublic = new byte[32];
        byte[] bobSecret = new byte[32];
        java.keypair(bobPublic, bobSecret);
        byte[] keyS = new byte[32];
        byte[] keyJ = new byte[32];
        sodium.beforenm(keyS, bobPublic, aliceSecret);
        java.beforenm(keyJ, alicePublic, bobSecret);
        assertThat(keyJ).as("a key pair from each side reaches one shared key").isEqualTo(keyS);
        // Heartbeats and file frames as CURVE carries them (message plus its flags byte), and the edges of Poly1305's blocks.
        for (int size : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 257, 4118, 65_536}) {
            byte[] message = new byte[size];
            random.nextBytes(message);
            byte[] nonce = new byte[24];
            random.nextBytes(nonce);
            byte[] m = padded(message);
            byte[] byS = new byte[m.length];
            byte[] byJ = new byte[m.length];
            assertThat(sodium.afternm(byS, m, m.length, nonce, keyS)).isZero();
            assertThat(java.afternm(byJ, m, m.length, nonce, keyJ)).isZero();
            assertThat(byJ).as("%d bytes", size).isEqualTo(byS);
            byte[] back = new byte[m.length];
            assertThat(java.openAfternm(back, byS, byS.length, nonce, keyJ)).isZero();
            assertThat(back).isEqualTo(m);
            assertThat(sodium.openAfternm(back, byJ, byJ.length, nonce, keyS)).isZero();
            assertThat(back).isEqualTo(m);
        }
    }

    @Test
    void aKeyPairsPublicHalfIsItsSecretTimesTheBasePoint() {
        for (Nacl.Box nacl : implementations()) {
            byte[] pk = new byte[32];
            byte[] sk = new byte[32];
            assertThat(nacl.keypair(pk, sk)).isZero();
            byte[] shared = new byte[32];
            byte[] again = new byte[32];
            nacl.beforenm(shared, BOB_PUBLIC, sk);
            new PureJava().beforenm(again, BOB_PUBLIC, sk);
            assertThat(again).isEqualTo(shared);
            assertThat(sk).isNotEqualTo(new byte[32]);
        }
        byte[] pk = new byte[32];
        com.neilalexander.jnacl.crypto.curve25519.crypto_scalarmult_base(pk, ALICE_SECRET);
        assertThat(pk).isEqualTo(ALICE_PUBLIC);
    }
}
