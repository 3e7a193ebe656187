package org.flocksy.app.cli;

import picocli.CommandLine;

/** The version from the JAR manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = FlocksyCommand.class.getPackage().getImplementationVersion();
        return new String[] {"flocksy " + (v == null ? "(development build)" : v)};
    }
}
