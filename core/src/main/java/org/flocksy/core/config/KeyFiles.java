package org.flocksy.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.flocksy.core.crypto.CurveKeyPair;
import org.flocksy.core.crypto.Z85;

/**
 * The seed's JSON key files. Private keys: {@code {"tcp://…": {"private_key": Z85, "public_key": Z85}}},
 * mode 0600. Keystore: {@code {"tcp://…": Z85 public key}}. Endpoints are normalised as in the config.
 */
public final class KeyFiles {
    // A second entry for one endpoint, or text after the object, is a mistake to name, not to guess past.
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private KeyFiles() {}

    /** The private key file, or an empty map when it does not exist. */
    public static Map<String, CurveKeyPair> readPrivateKeys(Path file) throws ConfigException {
        Map<String, CurveKeyPair> result = new LinkedHashMap<>();
        JsonNode root = readObject(file, true);
        if (root == null) {
            return result;
        }
        refuseUnsafe(file, "private keys", true);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = file + ": entry '" + e.getKey() + "'";
            if (!e.getValue().isObject()) {
                throw new ConfigException(where + " must be an object with private_key and public_key");
            }
            String secret = key(e.getValue(), "private_key", where);
            String pub = key(e.getValue(), "public_key", where);
            put(result, endpoint(e.getKey(), file), new CurveKeyPair(pub, secret), where);
        }
        return result;
    }

    /** The keystore: endpoint to Z85 public key. A missing keystore is an error: a node without peers is useless. */
    public static Map<String, String> readKeystore(Path file) throws ConfigException {
        Map<String, String> result = new LinkedHashMap<>();
        JsonNode root = readObject(file, false);
        // Whoever can write the keystore can add a key of theirs and be admitted as a member.
        refuseUnsafe(file, "keystore", false);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = file + ": entry '" + e.getKey() + "'";
            if (!e.getValue().isTextual()) {
                throw new ConfigException(where + " must be a Z85 public key string");
            }
            String problem = Z85.problem(e.getValue().asText());
            if (problem != null) {
                throw new ConfigException(where + ": public key " + problem);
            }
            put(result, endpoint(e.getKey(), file), e.getValue().asText(), where);
        }
        return result;
    }

    /**
     * Writes the private key file atomically with mode 0600 (0700 for a directory it creates).
     * The caller merges: entries already in the file are kept as they are.
     */
    public static void writePrivateKeys(Path file, Map<String, CurveKeyPair> keys) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        keys.forEach((endpoint, pair) -> root.putObject(endpoint)
                .put("private_key", pair.secretKey())
                .put("public_key", pair.publicKey()));
        writeSecret(file, JSON.writeValueAsBytes(root));
    }

    /** Writes a keystore (tests, demo); public keys need no secrecy, but the same atomic write. */
    public static void writeKeystore(Path file, Map<String, String> keys) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        keys.forEach(root::put);
        writeSecret(file, JSON.writeValueAsBytes(root));
    }

    private static void writeSecret(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create " + tmp + ": it appeared while writing", e);
        }
        try (var channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes));
            channel.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static JsonNode readObject(Path file, boolean missingIsEmpty) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (missingIsEmpty) {
                return null;
            }
            throw new ConfigException(file + ": file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + Problems.describe(e), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String line = at == null ? "" : ":" + at.getLineNr();
            throw new ConfigException(file + line + ": malformed JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + Problems.describe(e), e);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new ConfigException(file + ": expected a JSON object keyed by endpoint");
        }
        return root;
    }

    /**
     * Like ssh: a key file another user owns or may write decides who is admitted, and a secret others can
     * read ({@code secret}) is no longer one. Refused, with the command that fixes it.
     */
    private static void refuseUnsafe(Path file, String what, boolean secret) throws ConfigException {
        Set<PosixFilePermission> mode;
        UserPrincipal owner;
        try {
            mode = Files.getPosixFilePermissions(file);
            owner = Files.getOwner(file);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read its permissions: " + Problems.describe(e), e);
        }
        if (secret && (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ))) {
            throw new ConfigException(file + ": " + what + " readable by others (" + PosixFilePermissions.toString(mode)
                    + "); make it private with: chmod 600 " + file);
        }
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new ConfigException(file + ": " + what + " writable by other users (" + PosixFilePermissions.toString(mode)
                    + "); make it yours alone with: chmod go-w " + file);
        }
        String me = System.getProperty("user.name", "");
        if (!owner.getName().equals(me) && !owner.getName().equals("root") && knownUser(file, me)) {
            throw new ConfigException(file + ": " + what + " owned by " + owner.getName() + ", not by " + me
                    + " who runs flocksy; chown it or use a file of your own");
        }
    }

    /** Whether {@code name} is a user the file system knows (a container may run as a user without a name). */
    private static boolean knownUser(Path file, String name) {
        try {
            file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Two spellings of one endpoint ({@code :05671} and {@code :5671}) are one entry given twice. */
    private static <V> void put(Map<String, V> result, String endpoint, V value, String where) throws ConfigException {
        if (result.putIfAbsent(endpoint, value) != null) {
            throw new ConfigException(where + ": " + endpoint + " is given twice");
        }
    }

    private static String key(JsonNode entry, String field, String where) throws ConfigException {
        JsonNode value = entry.get(field);
        if (value == null || !value.isTextual()) {
            throw new ConfigException(where + ": " + field + " missing");
        }
        String problem = Z85.problem(value.asText());
        if (problem != null) {
            throw new ConfigException(where + ": " + field + " " + problem);
        }
        return value.asText();
    }

    private static String endpoint(String key, Path file) throws ConfigException {
        try {
            return Endpoint.normalize(key);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }
}
