package org.flocksy.plugins.boxlocal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.flocksy.api.BoxException;
import org.flocksy.api.BoxSource;
import org.flocksy.api.BoxSpec;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/** Boxes that are plain directories on a local file system: {@code name@/absolute/path}. */
public class LocalBoxPlugin extends Plugin {

    /** Accepts any location that is a path (no {@code scheme:} prefix other than a Windows drive). */
    @Extension
    public static class LocalBoxSource implements BoxSource {

        @Override
        public String id() {
            return "local";
        }

        @Override
        public boolean accepts(String location) {
            int colon = location.indexOf(':');
            // "usb:LABEL" belongs to another source; "C:\..." is a path.
            return colon < 0 || colon == 1 || location.startsWith("/");
        }

        @Override
        public Path resolve(BoxSpec spec) throws BoxException {
            Path path;
            try {
                path = Path.of(expandHome(spec.location())).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new BoxException("box '" + spec.name() + "': invalid path " + spec.location());
            }
            if (!Files.isDirectory(path)) {
                throw new BoxException("box '" + spec.name() + "': " + path + " is not a directory");
            }
            try {
                return path.toRealPath(LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new BoxException("box '" + spec.name() + "': cannot read " + path + ": " + e.getMessage(), e);
            }
        }

        private static String expandHome(String location) {
            if (location.equals("~") || location.startsWith("~/")) {
                return System.getProperty("user.home") + location.substring(1);
            }
            return location;
        }
    }
}
