package org.flocksy.core.control;

import java.io.IOException;

/** The daemon did not do what was asked, for the reason the message gives in one line (no such box, not a key, ...). */
public final class ControlException extends IOException {
    public ControlException(String message) {
        super(message);
    }
}
