package dev.pledge.itests.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Pledge's own jars for a server's lib/ (tm-core, xa-adapters/jdbc, xa-adapters/jms, jee-integration), made from the
 * classes the reactor just compiled: a reactor run only up to {@code test} packages no jar, and a
 * jar from an earlier build would test old code.
 */
final class PledgeJars {
    private PledgeJars() {
    }

    static void write(Path lib) throws IOException {
        String dirs = System.getProperty("pledge.module.classes");
        if (dirs == null) {
            throw new AssertionError("System property pledge.module.classes (Pledge's modules' target/classes) is not set:"
                    + " run the tests through Maven, e.g. mvn -pl itests -am test -Dtest='*ShopTest'");
        }
        Files.createDirectories(lib);
        for (String dir : dirs.split(",")) {
            Path classes = Path.of(dir.trim());
            if (!Files.isDirectory(classes)) {
                throw new AssertionError(classes + " does not exist: build Pledge's modules in the same reactor (mvn -pl itests -am test)");
            }
            Path moduleDir = classes.getParent().getParent();
            String module = moduleDir.getFileName().toString();
            if (moduleDir.getParent() != null && moduleDir.getParent().getFileName().toString().equals("xa-adapters")) {
                module = "xa-" + module; // xa-adapters/jdbc -> pledge-xa-jdbc.jar, as the artifact is called
            }
            jar(classes, lib.resolve("pledge-" + module + ".jar"));
        }
    }

    private static void jar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        List<Path> files;
        try (var all = Files.walk(classes)) {
            files = all.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            for (Path f : files) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }
}
