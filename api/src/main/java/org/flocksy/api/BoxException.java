package org.flocksy.api;

/**
 * A box cannot be used as declared. The message is shown to the user as is, so it names the box and
 * the problem in one line, e.g. {@code box 'photos': /mnt/x is not a directory}.
 */
public class BoxException extends Exception {
    private static final long serialVersionUID = 1L;

    public BoxException(String message) {
        super(message);
    }

    public BoxException(String message, Throwable cause) {
        super(message, cause);
    }
}
