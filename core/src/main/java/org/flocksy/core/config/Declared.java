package org.flocksy.core.config;

import java.util.Objects;

/**
 * A setting and where the user wrote it, so that a later check can say so: {@code ~/.flocksy:3} or
 * {@code --box}.
 */
public record Declared<T>(T value, String origin) {
    public Declared {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }

    /** {@code "<origin>: <message>"}, the shape of every configuration error. */
    public String error(String message) {
        return origin + ": " + message;
    }
}
