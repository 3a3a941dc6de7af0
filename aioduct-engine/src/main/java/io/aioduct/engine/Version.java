package io.aioduct.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The engine's version, from {@code version.properties} (filled in by the build). */
final class Version {
    static final String VALUE = read();

    private Version() {}

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
