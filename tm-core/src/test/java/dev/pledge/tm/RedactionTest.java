package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RedactionTest {
    private static final String MARKER = "s3cr3t-Marker";

    @Test
    void passwordsInUserInfoAndParametersOfEveryCommonUrlShapeAreHidden() {
        String[] urls = {
            "jdbc:postgresql://shop:" + MARKER + "@db:5432/orders?ssl=true&password=" + MARKER,
            "jdbc:mysql://db/orders?user=shop&password=" + MARKER + "&useSSL=false",
            "jdbc:mariadb://db/orders?pwd=" + MARKER,
            "jdbc:h2:file:/tmp/x;USER=sa;PASSWORD=" + MARKER + ";DB_CLOSE_DELAY=-1",
            "jdbc:sqlserver://db;databaseName=orders;password=" + MARKER + ";encrypt=true",
            "jdbc:db2://db:50000/orders:user=shop;password=" + MARKER + ";",
            "tcp://broker:61616?user=app&passwd=" + MARKER,
            "jdbc:postgresql://db/orders?apiToken=" + MARKER + "&clientSecret=" + MARKER,
        };
        for (String url : urls) {
            String shown = Redaction.url(url);
            assertFalse(shown.contains(MARKER), shown);
            assertTrue(shown.contains(Redaction.HIDDEN), shown);
        }
        assertEquals("jdbc:postgresql://shop:****@db:5432/orders?ssl=true&password=****", Redaction.url(urls[0]));
        assertEquals("jdbc:h2:file:/tmp/x;USER=sa;PASSWORD=****;DB_CLOSE_DELAY=-1", Redaction.url(urls[3]));
    }

    @Test
    void urlsWithoutSecretsAreLeftAlone() {
        for (String url : new String[] {"jdbc:postgresql://db:5432/orders?ssl=true", "jdbc:h2:mem:x;DB_CLOSE_DELAY=-1",
                "jdbc:mysql://shop@db/orders", "tcp://127.0.0.1:61616"}) {
            assertEquals(url, Redaction.url(url));
        }
    }

    @Test
    void valuesOfPasswordLikeKeysAreHiddenInAnyCase() {
        for (String key : new String[] {"password", "xa.password", "xa.PASSWD", "pwd", "clientSecret", "credentials", "authToken"}) {
            assertEquals(Redaction.HIDDEN, Redaction.value(key, MARKER), key);
        }
        assertEquals("shop", Redaction.value("xa.user", "shop"));
        assertEquals("", Redaction.value("password", ""), "an empty password is shown as empty: nothing to hide, and it explains a login failure");
    }
}
