package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DatabaseProbeRedactionTest {
    @Test
    void theUrlADataSourceNamesInItsErrorsCarriesNoCredentials() {
        assertEquals("jdbc:postgresql://shop:****@db:5432/orders", DatabaseProbe.withoutParameters("jdbc:postgresql://shop:pw@db:5432/orders?password=pw"));
        assertEquals("jdbc:h2:file:/x;USER=sa;PASSWORD=****", DatabaseProbe.withoutParameters("jdbc:h2:file:/x;USER=sa;PASSWORD=pw"));
    }
}
