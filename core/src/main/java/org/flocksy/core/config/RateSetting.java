package org.flocksy.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the config file and the flags say about speed: {@code rate = auto} (the default) or a number of file
 * frames per second, and an optional {@code max-bandwidth} that caps what this node sends.
 *
 * @param framesPerSecond a fixed rate and where it was written, or {@code null} for auto
 * @param maxBandwidth the most bytes per second this node may send, and where it was written, or {@code null}
 */
public record RateSetting(Declared<Integer> framesPerSecond, Declared<Long> maxBandwidth) {
    /** The slowest and fastest rate a node may be set to (the wire's bounds). */
    public static final int RATE_MIN = 50;
    public static final int RATE_MAX = 50_000;
    /** Auto, no cap. */
    public static final RateSetting AUTO = new RateSetting(null, null);

    private static final Pattern BANDWIDTH = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmg]i?b|[kmg]bit|b)?(?:/s)?", Pattern.CASE_INSENSITIVE);

    public boolean auto() {
        return framesPerSecond == null;
    }

    /** {@code auto} ({@code null}) or a whole number of frames per second within the bounds. */
    static Integer parseRate(String text, String origin) throws ConfigException {
        String t = text.strip();
        if (t.equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            int rate = Integer.parseInt(t);
            if (rate >= RATE_MIN && rate <= RATE_MAX) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // Said below.
        }
        throw new ConfigException(origin + ": rate '" + text + "' is neither 'auto' nor a number of frames per second from "
                + RATE_MIN + " to " + RATE_MAX);
    }

    /**
     * Bytes per second from {@code 20MiB}, {@code 2.5 MB/s}, {@code 100 Mbit}, {@code 800KiB}, or a plain number
     * of bytes. KB, MB, GB count in thousands; KiB, MiB, GiB in 1024s; kbit, Mbit, Gbit in thousands of bits.
     */
    static long parseBandwidth(String text, String origin) throws ConfigException {
        Matcher m = BANDWIDTH.matcher(text.strip());
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
            double factor = switch (unit) {
                case "kb" -> 1e3;
                case "mb" -> 1e6;
                case "gb" -> 1e9;
                case "kib" -> 1024.0;
                case "mib" -> 1024.0 * 1024;
                case "gib" -> 1024.0 * 1024 * 1024;
                case "kbit" -> 1e3 / 8;
                case "mbit" -> 1e6 / 8;
                case "gbit" -> 1e9 / 8;
                default -> 1;
            };
            long bytes = (long) (n * factor);
            if (bytes >= 1) {
                return bytes;
            }
        }
        throw new ConfigException(origin + ": max-bandwidth '" + text + "' is not a rate like 20MiB, 2.5MB/s or 100Mbit");
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?B?)?", Pattern.CASE_INSENSITIVE);

    /** A size like {@code 500MiB}, {@code 20G} or {@code 1.5TB} (K, M, G, T alone are binary), in bytes. */
    static long parseSize(String text, String origin, String what) throws ConfigException {
        Matcher m = SIZE.matcher(text.strip());
        if (m.matches()) {
            String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
            int power = unit.isEmpty() ? 0 : "KMGT".indexOf(unit.charAt(0)) + 1;
            double base = unit.length() == 2 && unit.endsWith("B") ? 1000 : 1024;
            double bytes = Double.parseDouble(m.group(1)) * Math.pow(base, power);
            if (bytes >= 1 && bytes < Long.MAX_VALUE) {
                return (long) bytes;
            }
        }
        throw new ConfigException(origin + ": " + what + " '" + text + "' is not a size like 500MiB, 20G or 1.5TB");
    }
}
