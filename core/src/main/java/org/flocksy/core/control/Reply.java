package org.flocksy.core.control;

import java.util.Map;

/**
 * A command's answer: text for people, data for scripts ({@code --json}).
 *
 * @param ok whether the command did what was asked ({@code flocksy ctl} exits 1 when not)
 * @param text what the shell prints; for a failure, one line saying why
 * @param data the same as plain values (maps, lists, strings, numbers) for JSON
 */
public record Reply(boolean ok, String text, Object data) {
    public static Reply ok(String text, Object data) {
        return new Reply(true, text, data);
    }

    public static Reply failed(String why) {
        return new Reply(false, why, Map.of("error", why));
    }
}
