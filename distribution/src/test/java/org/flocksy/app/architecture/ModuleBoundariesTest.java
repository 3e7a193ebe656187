package org.flocksy.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The promises between modules: {@code api} depends on nothing of ours (PF4J only), each plugin depends on
 * {@code api} and never on the kernel or on another plugin, and in {@code distribution} the commands know no
 * shell while the shell and the command line sit on top of them.
 */
class ModuleBoundariesTest {
    private static final Path SOURCE = Path.of(System.getProperty("flocksy.source", "..")).toAbsolutePath().normalize();
    private static JavaClasses api;
    private static JavaClasses plugins;
    private static JavaClasses app;

    @BeforeAll
    static void importClasses() throws IOException {
        ClassFileImporter importer = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        api = importer.importPath(SOURCE.resolve("api/target/classes"));
        List<Path> built;
        try (Stream<Path> modules = Files.list(SOURCE.resolve("plugins"))) {
            built = modules.map(m -> m.resolve("target/classes")).filter(Files::isDirectory).toList();
        }
        plugins = importer.importPaths(built);
        app = importer.importPackages("org.flocksy.app");
    }

    @Test
    void everyPluginWasRead() {
        // A rule over no classes passes: make sure the api and all plugin modules were found where the build put them.
        assertThat(api.stream().map(JavaClass::getPackageName)).contains("org.flocksy.api");
        assertThat(plugins.stream().map(JavaClass::getPackageName).distinct()).hasSizeGreaterThanOrEqualTo(9);
    }

    @Test
    void theApiDependsOnNothingOfOurs() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("org.flocksy.api..", "java..", "org.pf4j..")
                .because("plugin authors build against the api alone").check(api);
    }

    @Test
    void pluginsDependOnTheApiOnly() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.flocksy.core..", "org.flocksy.app..")
                .because("a plugin that reached into the kernel would break with every release").check(plugins);
        slices().matching("org.flocksy.plugins.(*)..").should().notDependOnEachOther().check(plugins);
    }

    @Test
    void theCommandsKnowNoShellAndTheAppHasNoCycles() {
        noClasses().that().resideInAPackage("org.flocksy.app.control..").should().dependOnClassesThat()
                .resideInAnyPackage("org.flocksy.app.shell..", "org.flocksy.app.cli..").check(app);
        noClasses().that().resideInAPackage("org.flocksy.app.shell..").should().dependOnClassesThat()
                .resideInAPackage("org.flocksy.app.cli..").check(app);
        slices().matching("org.flocksy.app.(*)..").should().beFreeOfCycles().check(app);
    }
}
