package org.flocksy.core.bundle;

/** A bundle whose bytes verified against the announced hash but do not parse: a defective or hostile sender. */
public final class MalformedBundleException extends Exception {
    public MalformedBundleException(String message) {
        super(message);
    }
}
