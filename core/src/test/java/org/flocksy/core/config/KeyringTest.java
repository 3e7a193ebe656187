package org.flocksy.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.crypto.CurveKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
    @TempDir
    Path dir;

    private Settings settings(String hostname, String node) {
        return new Settings(List.of(new Declared<>(hostname, "--hostname")), List.of(new Declared<>(node, "cfg:4")),
                List.of(new Declared<>(new BoxSpec("b", "/x"), "--box")),
                new Declared<>(dir.resolve("ks"), "--keystore"), new Declared<>(dir.resolve("pk"), "--privatekey"));
    }

    @Test
    void resolvesOwnPairsPeerKeysAndTheAdmittedSet() throws Exception {
        CurveKeyPair own = CurveKeyPair.generate();
        CurveKeyPair peer = CurveKeyPair.generate();
        KeyFiles.writePrivateKeys(dir.resolve("pk"), Map.of("tcp://a:1", own));
        KeyFiles.writeKeystore(dir.resolve("ks"), Map.of("tcp://a:1", own.publicKey(), "tcp://b:1", peer.publicKey()));
        Keyring ring = Keyring.load(settings("tcp://a:1", "tcp://b:1"));
        assertThat(ring.clientKeys()).isEqualTo(own);
        assertThat(ring.peers()).containsExactly(new Keyring.Peer("tcp://b:1", peer.publicKey()));
        assertThat(ring.admitted()).containsExactlyInAnyOrder(own.publicKey(), peer.publicKey());
    }

    @Test
    void aHostnameWithoutKeyPairAndANodeOutsideTheKeystoreAreNamed() throws Exception {
        CurveKeyPair own = CurveKeyPair.generate();
        KeyFiles.writePrivateKeys(dir.resolve("pk"), Map.of("tcp://a:1", own));
        KeyFiles.writeKeystore(dir.resolve("ks"), Map.of("tcp://a:1", own.publicKey()));
        assertThatThrownBy(() -> Keyring.load(settings("tcp://z:1", "tcp://b:1")))
                .hasMessage("--hostname: hostname tcp://z:1 has no key pair in " + dir.resolve("pk")
                        + " (create one with --create-private-keys)");
        assertThatThrownBy(() -> Keyring.load(settings("tcp://a:1", "tcp://b:1")))
                .hasMessage("cfg:4: node tcp://b:1 is not in the keystore " + dir.resolve("ks"));
        KeyFiles.writeKeystore(dir.resolve("ks"), Map.of("tcp://a:1", CurveKeyPair.generate().publicKey(), "tcp://b:1", own.publicKey()));
        assertThatThrownBy(() -> Keyring.load(settings("tcp://a:1", "tcp://b:1")))
                .hasMessage("--hostname: the keystore " + dir.resolve("ks") + " gives hostname tcp://a:1 another public key than its key pair in "
                        + dir.resolve("pk") + "; peers with that keystore would refuse this node");
    }
}
