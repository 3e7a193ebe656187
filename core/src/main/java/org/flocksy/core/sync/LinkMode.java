package org.flocksy.core.sync;

import java.util.Locale;

/** What a box does with symbolic links (the config's {@code symlinks = BOX:MODE}; the original flocksy's three modes). */
public enum LinkMode {
    /** A link is synced as a link: its target text travels, receivers make the same link. Links leading out of the box are not synced. */
    COPY,
    /**
     * A link is read through: what it points to, inside or outside the box, is synced as ordinary files and
     * folders. A link to something inside the box is synced as a link (followed, the same files would travel
     * twice, or forever).
     */
    FOLLOW,
    /** Links are left alone. */
    IGNORE;

    /** The mode named in the config. */
    public static LinkMode of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
