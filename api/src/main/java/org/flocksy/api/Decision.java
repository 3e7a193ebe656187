package org.flocksy.api;

/**
 * What a {@link ConflictResolver} decided: which version keeps the file's name, and whether the other is
 * kept beside it as {@code name.sync-conflict-YYYYMMDD-HHMMSS-<writer>.ext} (the same name on every node)
 * or set aside in the box's {@code .flocksy/versions/}.
 *
 * @param winner the version that keeps the name
 * @param keepLoserBeside true: the loser becomes a conflict copy in the box; false: it is set aside
 */
public record Decision(Winner winner, boolean keepLoserBeside) {
    /** Which of the conflict's two versions. */
    public enum Winner { FIRST, SECOND }

    /**
     * Both versions stay and the later edit keeps the name (the second version; the first becomes the conflict
     * copy): what the {@code keep-both} resolver decides, and what the kernel does for a box whose resolver
     * fails or gives no decision.
     */
    public static Decision keepBothLaterWins() {
        return keepBoth(Winner.SECOND);
    }

    public static Decision keepBoth(Winner winner) {
        return new Decision(winner, true);
    }

    public static Decision keepOnly(Winner winner) {
        return new Decision(winner, false);
    }
}
