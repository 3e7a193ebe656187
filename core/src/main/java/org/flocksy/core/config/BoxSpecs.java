package org.flocksy.core.config;

import org.flocksy.api.BoxSpec;

/** Parses {@code name@location}: the name ends at the first {@code @}, so paths may contain one. */
public final class BoxSpecs {
    private BoxSpecs() {}

    public static BoxSpec parse(String text, String origin) throws ConfigException {
        int at = text.indexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new ConfigException(origin + ": malformed box '" + text + "' (expected NAME@PATH, e.g. docs@/home/ann/docs)");
        }
        String name = text.substring(0, at).strip();
        String location = text.substring(at + 1).strip();
        if (name.isEmpty() || location.isEmpty()) {
            throw new ConfigException(origin + ": malformed box '" + text + "' (expected NAME@PATH, e.g. docs@/home/ann/docs)");
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == '/' || c == '\\')) {
            throw new ConfigException(origin + ": box name '" + name + "' may not contain '/', '\\' or control characters");
        }
        return new BoxSpec(name, location);
    }
}
