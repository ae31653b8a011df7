package dev.pledge.jee.hibernate;

import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformProvider;

/** Listed in {@code META-INF/services}: Hibernate asks it for a JTA platform when none is configured. */
public final class PledgeJtaPlatformProvider implements JtaPlatformProvider {
    @Override
    public JtaPlatform getProvidedJtaPlatform() {
        return new PledgeJtaPlatform();
    }
}
