package org.flocksy.app.control;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** The commands a mistyped word was probably meant to be: a letter or two away, two letters swapped, or the start of one. */
final class DidYouMean {
    private DidYouMean() {}

    static List<String> among(String typed, Collection<String> names) {
        return names.stream()
                .filter(n -> (typed.length() >= 2 && n.startsWith(typed)) || distance(typed, n) <= Math.min(2, Math.max(1, n.length() / 3)))
                .sorted(Comparator.comparingInt((String n) -> distance(typed, n)).thenComparing(Comparator.naturalOrder()))
                .limit(3).toList();
    }

    /** Edits (insert, delete, replace, swap two neighbours) from {@code a} to {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
