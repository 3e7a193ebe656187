package org.flocksy.core.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The kernel's packages form layers without cycles: the foundations know nothing above them, the sync
 * engine knows no protocol, the state machine never reaches the transport, and nothing in the kernel
 * knows a screen (the shell's text and colours live in {@code distribution}).
 */
@AnalyzeClasses(packages = "org.flocksy.core", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("org.flocksy.core.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("foundations").definedBy("org.flocksy.core.clock..", "org.flocksy.core.crypto..", "org.flocksy.core.version..",
                    "org.flocksy.core.path..", "org.flocksy.core.timing..", "org.flocksy.core.wire..", "org.flocksy.core.traffic..",
                    "org.flocksy.core.config..", "org.flocksy.core.loop..")
            .layer("storage").definedBy("org.flocksy.core.index..", "org.flocksy.core.bundle..", "org.flocksy.core.ignore..",
                    "org.flocksy.core.backup..")
            .layer("plugins").definedBy("org.flocksy.core.plugin..")
            .layer("emission").definedBy("org.flocksy.core.scheduler..")
            .layer("transport").definedBy("org.flocksy.core.transport..")
            .layer("sync").definedBy("org.flocksy.core.sync..")
            .layer("protocol").definedBy("org.flocksy.core.fsm..")
            .layer("kernel").definedBy("org.flocksy.core.kernel..")
            .layer("control").definedBy("org.flocksy.core.control..")
            .whereLayer("control").mayNotBeAccessedByAnyLayer()
            .whereLayer("kernel").mayOnlyBeAccessedByLayers("control")
            .whereLayer("protocol").mayOnlyBeAccessedByLayers("kernel", "control")
            .whereLayer("sync").mayOnlyBeAccessedByLayers("protocol", "kernel", "control")
            .whereLayer("transport").mayOnlyBeAccessedByLayers("kernel")
            .whereLayer("emission").mayOnlyBeAccessedByLayers("transport", "sync", "protocol", "kernel")
            .whereLayer("plugins").mayOnlyBeAccessedByLayers("sync", "kernel", "control")
            .whereLayer("storage").mayOnlyBeAccessedByLayers("sync", "protocol", "kernel", "control");

    @ArchTest
    static final ArchRule theStateMachineNeverReachesTheTransport = noClasses().that().resideInAPackage("org.flocksy.core.fsm..")
            .should().dependOnClassesThat().resideInAPackage("org.flocksy.core.transport..");

    @ArchTest
    static final ArchRule theKernelKnowsNoScreen = noClasses().that().resideInAPackage("org.flocksy.core..")
            .should().dependOnClassesThat().resideInAnyPackage("org.jline..", "picocli..", "org.flocksy.app..", "ch.qos.logback..");

    @ArchTest
    static final ArchRule theKernelSeesPluginsOnlyThroughTheApi = noClasses().that().resideInAPackage("org.flocksy.core..")
            .should().dependOnClassesThat().resideInAPackage("org.flocksy.plugins..");
}
