package org.flocksy.core.path;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathSafetyTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "dir/file.txt", "with space/ünïcode.txt", ".hidden", "a..b", "x/.flocksyish"})
    void acceptsOrdinaryRelativePaths(String path) {
        assertThat(PathSafety.problem(path)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "../escape|'..' segment in path",
        "a/../../b|'..' segment in path",
        "/etc/passwd|absolute path",
        "C:/x|absolute path",
        "a\\b|backslash or NUL in path",
        "a//b|'' segment in path",
        "a/./b|'.' segment in path",
        "dir/|'' segment in path",
        ".flocksy/tmp/x|inside the box's .flocksy folder",
        ".flocksy|inside the box's .flocksy folder",
    })
    void refusesPathsThatLeaveTheBoxOrItsRules(String path, String problem) {
        assertThat(PathSafety.problem(path)).isEqualTo(problem);
    }

    @org.junit.jupiter.api.Test
    void refusesControlCharactersAndOverlongPaths() {
        assertThat(PathSafety.problem("a\nb")).isEqualTo("control character in path");
        assertThat(PathSafety.problem("x".repeat(128))).isNull();
        assertThat(PathSafety.problem("x".repeat(129))).isEqualTo("longer than 128 bytes");
    }
}
