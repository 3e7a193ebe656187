package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.flocksy.core.crypto.NodeUid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Conflict copy names: made and read back in one place, the extension last, never a path of their own outside the box. */
class ConflictNameTest {
    private static final NodeUid WRITER = NodeUid.of(new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef, 0x01, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            # path,                 the copy,                                              kept for good as
            notes.txt,              notes.sync-conflict-20270115-080000-abcdef0.txt,       notes (conflict abcdef0).txt
            dir/report.final.pdf,   dir/report.final.sync-conflict-20270115-080000-abcdef0.pdf, dir/report.final (conflict abcdef0).pdf
            .bashrc,                .bashrc.sync-conflict-20270115-080000-abcdef0,         .bashrc (conflict abcdef0)
            Makefile,               Makefile.sync-conflict-20270115-080000-abcdef0,        Makefile (conflict abcdef0)
            """)
    void madeAndReadBack(String path, String copy, String kept) {
        assertThat(ConflictName.of(path, 1_800_000_000_000L, WRITER)).isEqualTo(copy);
        Optional<ConflictName> parsed = ConflictName.parse(copy);
        assertThat(parsed).get().extracting(ConflictName::original, ConflictName::writer).containsExactly(path, "abcdef0");
        assertThat(parsed.get().keptName()).isEqualTo(kept);
    }

    @ParameterizedTest
    @ValueSource(strings = {"notes.txt", "a/.sync-conflict-20270115-080000-abcdef0.txt", ".sync-conflict-20270115-080000-abcdef0",
        "notes.sync-conflict-2027011-080000-abcdef0.txt", "notes.sync-conflict-20270115-080000-ABCDEF0.txt",
        "../x.sync-conflict-20270115-080000-abcdef0.txt"})
    void otherNamesAreNotConflictCopies(String path) {
        assertThat(ConflictName.parse(path)).isEmpty();
    }

    @Test
    void aLongNameIsShortenedToFitTheWire() {
        String copy = ConflictName.of("d/" + "é".repeat(100) + ".txt", 0, WRITER);
        assertThat(copy.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(128);
        assertThat(ConflictName.parse(copy)).isPresent();
    }
}
