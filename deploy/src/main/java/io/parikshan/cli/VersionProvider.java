package io.parikshan.cli;

import picocli.CommandLine;

/** Reads the version Maven wrote into the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Parikshan.class.getPackage().getImplementationVersion();
        return new String[] {"parikshan " + (v == null ? "(development build)" : v)};
    }
}
