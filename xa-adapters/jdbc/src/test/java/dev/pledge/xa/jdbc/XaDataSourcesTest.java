package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.xa.PGXADataSource;

/**
 * Data sources made from configuration text (pledge.datasource.NAME.KEY, pledge recover's resource.NAME.KEY):
 * each key reaches the driver's setter, and a malformed value names where it came from, the key and the value.
 */
class XaDataSourcesTest {
    private static final String ORIGIN = "pledge.datasource.orders (file:pledge.properties)";

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void eachKeyReachesTheDriversSetterWhateverItsCaseAndHyphens() throws Exception {
        JdbcDataSource h2 = (JdbcDataSource) XaDataSources.create("org.h2.jdbcx.JdbcDataSource",
                settings("url", "jdbc:h2:mem:orders", "user", "sa", "login-timeout", "7"), ORIGIN, getClass().getClassLoader());
        assertEquals("jdbc:h2:mem:orders", h2.getURL(), "url -> setURL");
        assertEquals("sa", h2.getUser());
        assertEquals(7, h2.getLoginTimeout(), "login-timeout -> setLoginTimeout");
        PGXADataSource pg = (PGXADataSource) XaDataSources.create("org.postgresql.xa.PGXADataSource",
                settings("ssl", "true", "prepare-threshold", "3"), ORIGIN, getClass().getClassLoader());
        assertTrue(pg.getSsl(), "a boolean");
        assertEquals(3, pg.getPrepareThreshold(), "an int");
    }

    @Test
    void aMalformedValueNamesItsOriginItsKeyAndItsValue() {
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class, () -> XaDataSources.create(
                "org.h2.jdbcx.JdbcDataSource", settings("login-timeout", "soon"), ORIGIN, getClass().getClassLoader()));
        assertEquals(ORIGIN + ": login-timeout=soon is not a number", number.getMessage());
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class, () -> XaDataSources.create(
                "org.postgresql.xa.PGXADataSource", settings("ssl", "yes"), ORIGIN, getClass().getClassLoader()));
        assertEquals(ORIGIN + ": ssl=yes must be true or false", bool.getMessage());
    }

    @Test
    void aClassThatIsNotAnXaDataSourceOrNotThereIsRefusedNamingIt() {
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> XaDataSources.create(
                "org.h2.Driver", Map.of(), ORIGIN, getClass().getClassLoader()));
        assertEquals(ORIGIN + ": org.h2.Driver is not a javax.sql.XADataSource", plain.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> XaDataSources.create(
                "org.example.NoSuchXADataSource", Map.of(), ORIGIN, getClass().getClassLoader()));
        assertEquals(ORIGIN + ": XA data source class org.example.NoSuchXADataSource is not on the class path", missing.getMessage());
    }
}
