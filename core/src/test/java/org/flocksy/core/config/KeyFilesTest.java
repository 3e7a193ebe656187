package org.flocksy.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.flocksy.core.crypto.CurveKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    /** Public test keys from the ZeroMQ curve documentation, never used for anything real. */
    static final String PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    static final String SECRET = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

    @TempDir
    Path dir;

    @Test
    void readsTheSeedsShapes() throws Exception {
        Path priv = Files.writeString(dir.resolve("pk"),
                "{\"tcp://127.0.0.1:5671\": {\"private_key\": \"" + SECRET.replace("\\", "\\\\") + "\", \"public_key\": \"" + PUBLIC + "\"}}");
        Path store = Files.writeString(dir.resolve("ks"), "{\"127.0.0.1:5672\": \"" + PUBLIC + "\"}");
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> KeyFiles.readPrivateKeys(priv)).hasMessage(priv + ": private keys readable by others (rw-r--r--); make it private with: chmod 600 " + priv);
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        assertThat(KeyFiles.readPrivateKeys(priv)).containsExactly(Map.entry("tcp://127.0.0.1:5671", new CurveKeyPair(PUBLIC, SECRET)));
        assertThat(KeyFiles.readKeystore(store)).containsExactly(Map.entry("tcp://127.0.0.1:5672", PUBLIC));
    }

    @Test
    void aKeystoreOrKeyFileOthersCanWriteIsRefused() throws Exception {
        // Whoever may write the keystore adds their key and is admitted: such a file must not be trusted.
        Path store = Files.writeString(dir.resolve("ks"), "{\"127.0.0.1:5672\": \"" + PUBLIC + "\"}");
        for (String mode : new String[] {"rw-rw-r--", "rw-r--rw-"}) {
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString(mode));
            assertThatThrownBy(() -> KeyFiles.readKeystore(store))
                    .hasMessage(store + ": keystore writable by other users (" + mode + "); make it yours alone with: chmod go-w " + store);
        }
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(KeyFiles.readKeystore(store)).containsKey("tcp://127.0.0.1:5672");

        Path priv = dir.resolve("pk");
        KeyFiles.writePrivateKeys(priv, Map.of("tcp://h:1", CurveKeyPair.generate()));
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw--w----"));
        assertThatThrownBy(() -> KeyFiles.readPrivateKeys(priv)).hasMessageContaining("private keys writable by other users (rw--w----)");
    }

    @Test
    void writesPrivateKeysWithMode0600AndReadsThemBack() throws Exception {
        Path file = dir.resolve("ssh/keys");
        CurveKeyPair pair = CurveKeyPair.generate();
        KeyFiles.writePrivateKeys(file, Map.of("tcp://h:1", pair));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(KeyFiles.readPrivateKeys(file)).containsEntry("tcp://h:1", pair);
        assertThat(pair.publicKey()).hasSize(40);
        assertThat(pair.secretKey()).hasSize(40);
    }

    @Test
    void aMissingPrivateKeyFileIsEmptyButAMissingKeystoreIsAnError() throws Exception {
        assertThat(KeyFiles.readPrivateKeys(dir.resolve("none"))).isEmpty();
        assertThatThrownBy(() -> KeyFiles.readKeystore(dir.resolve("none")))
                .hasMessage(dir.resolve("none") + ": file not found");
    }

    @Test
    void malformedFilesAreOneLineErrorsNamingFileAndLine() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken"), "{\n  \"tcp://a:1\": \"x\",\n  oops\n}");
        assertThatThrownBy(() -> KeyFiles.readKeystore(broken))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(broken + ":3: malformed JSON")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        Path twice = Files.writeString(dir.resolve("twice"), "{\n  \"tcp://a:1\": \"x\",\n  \"tcp://a:1\": \"y\"\n}");
        assertThatThrownBy(() -> KeyFiles.readKeystore(twice)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(twice + ":3: malformed JSON: Duplicate field 'tcp://a:1'");
        Path spelledTwice = Files.writeString(dir.resolve("spelled"), "{\"tcp://a:1\": \"" + PUBLIC + "\", \"tcp://a:01\": \"" + PUBLIC + "\"}");
        assertThatThrownBy(() -> KeyFiles.readKeystore(spelledTwice))
                .hasMessage(spelledTwice + ": entry 'tcp://a:01': tcp://a:1 is given twice");
        for (String text : List.of("[]", "\"string\"", "", "{} trailing")) {
            Path p = Files.writeString(dir.resolve("shape"), text);
            assertThatThrownBy(() -> KeyFiles.readKeystore(p)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(p.toString());
        }
    }

    @Test
    void invalidZ85KeysAreNamed() throws Exception {
        Path shortKey = Files.writeString(dir.resolve("ks1"), "{\"tcp://a:1\": \"abc\"}");
        assertThatThrownBy(() -> KeyFiles.readKeystore(shortKey))
                .hasMessage(shortKey + ": entry 'tcp://a:1': public key is 3 characters, a Z85 key has 40");
        Path badChar = Files.writeString(dir.resolve("ks2"), "{\"tcp://a:1\": \"" + PUBLIC.substring(0, 39) + "~\"}");
        assertThatThrownBy(() -> KeyFiles.readKeystore(badChar))
                .hasMessageContaining("'~' at position 40, which is not a Z85 character");
        Path missingHalf = Files.writeString(dir.resolve("pk"), "{\"tcp://a:1\": {\"public_key\": \"" + PUBLIC + "\"}}");
        Files.setPosixFilePermissions(missingHalf, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> KeyFiles.readPrivateKeys(missingHalf))
                .hasMessage(missingHalf + ": entry 'tcp://a:1': private_key missing");
    }
}
