package org.flocksy.core.config;

/**
 * The user's configuration cannot be used. The message is one line that names the file and line or the
 * flag and the problem; the command line prints it as is and exits with code 2.
 */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
