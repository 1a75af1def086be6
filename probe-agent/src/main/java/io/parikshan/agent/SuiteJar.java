package io.parikshan.agent;

import io.parikshan.dsl.ProbeSuite;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A user's suite jar: its own class loader (parent: the application class loader, so suites see the
 * application's classes and share the agent's DSL classes) and the suites it lists in
 * {@code META-INF/services/io.parikshan.dsl.ProbeSuite}.
 */
record SuiteJar(Path path, URLClassLoader loader, List<ProbeSuite> suites) {

    static SuiteJar open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("suite jar " + path.toAbsolutePath() + " does not exist in the target's filesystem");
        }
        URLClassLoader loader = new URLClassLoader("parikshan-suite:" + path.getFileName(),
                new URL[]{path.toUri().toURL()}, ClassLoader.getSystemClassLoader());
        List<ProbeSuite> suites = new ArrayList<>();
        try {
            for (ServiceLoader.Provider<ProbeSuite> p : ServiceLoader.load(ProbeSuite.class, loader).stream().toList()) {
                if (p.type().getClassLoader() == loader) {
                    suites.add(p.get());
                }
            }
        } catch (java.util.ServiceConfigurationError e) {
            loader.close();
            throw new IOException("suite jar " + path + ": " + e.getMessage(), e);
        }
        if (suites.isEmpty()) {
            loader.close();
            throw new IOException("suite jar " + path + " declares no ProbeSuite: list your suite classes in "
                    + "META-INF/services/io.parikshan.dsl.ProbeSuite");
        }
        return new SuiteJar(path, loader, List.copyOf(suites));
    }
}
