package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pledge.jee.hibernate.PledgeJtaPlatform;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hibernate ORM on MariaDB and PostgreSQL in one {@code @Transactional} method, coordinated by Pledge. */
@ExtendWith(ArquillianExtension.class)
class HibernateTwoDatabasesTest {
    @Deployment
    static JavaArchive deployment() {
        return ShrinkWrap.create(JavaArchive.class).addClasses(TwoDatabases.class, Note.class)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @Inject
    TwoDatabases databases;

    private static long newId() {
        return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    }

    @Test
    void hibernateFindsThePledgePlatformWithoutAnySetting() {
        for (JtaPlatform platform : databases.platforms()) {
            assertInstanceOf(PledgeJtaPlatform.class, platform);
            assertEquals("Pledge JtaPlatform of node jee-cdi", platform.toString());
        }
    }

    @Test
    void aTransactionalMethodCommitsBothPersistenceUnits() throws Exception {
        long id = newId();
        databases.write(id, "both", null);
        assertEquals(Optional.of("both"), TwoDatabases.inMariaDb(id));
        assertEquals(Optional.of("both"), TwoDatabases.inPostgres(id));
    }

    @Test
    void aRuntimeExceptionLeavesBothDatabasesUntouched() throws Exception {
        long id = newId();
        assertThrows(IllegalStateException.class, () -> databases.write(id, "neither", new IllegalStateException("boom")));
        assertEquals(Optional.empty(), TwoDatabases.inMariaDb(id));
        assertEquals(Optional.empty(), TwoDatabases.inPostgres(id));
    }
}
