package dev.pledge.samples.shop;

import dev.pledge.jee.PledgeUserTransaction;
import dev.pledge.jee.ServiceRegistry;
import jakarta.jms.ConnectionFactory;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.transaction.UserTransaction;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Looks up every resource when the application starts, so that a configuration error fails the
 * deployment (with the attribute it is about in the server's log) instead of the first order, and
 * so that every resource is registered for recovery before the first request: after a crash the
 * transaction service finishes what was in doubt as soon as the application is back.
 * <p>
 * The service is shared by node name: this deployment takes a use of it ({@code ServiceRegistry.acquire})
 * and gives it back when it stops, after closing the pools it looked up (nothing else closes them
 * in Jetty). The last use closes the service and releases its log: at a server's shutdown, or an
 * undeployment; not when a redeployment's new application already shares it, as in Jetty, which
 * starts the new one before it stops the old.
 */
@WebListener
public final class ShopStartup implements ServletContextListener {
    private String nodeName;
    private Shop shop;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            InitialContext jndi = new InitialContext();
            UserTransaction ut = (UserTransaction) lookup(jndi, "java:comp/UserTransaction");
            DataSource stock = (DataSource) lookup(jndi, "java:comp/env/jdbc/stock");
            DataSource orders = (DataSource) lookup(jndi, "java:comp/env/jdbc/orders");
            ConnectionFactory broker = (ConnectionFactory) lookup(jndi, "java:comp/env/jms/orders");
            if (ut instanceof PledgeUserTransaction pledge) {
                nodeName = pledge.nodeName();
                ServiceRegistry.acquire(nodeName);
            }
            shop = new Shop(ut, stock, orders, broker);
            event.getServletContext().setAttribute(Shop.ATTRIBUTE, shop);
            event.getServletContext().log("shop started on Pledge node " + nodeName);
        } catch (NamingException e) {
            throw new IllegalStateException("The shop cannot start: " + causes(e), e);
        }
    }

    private static Object lookup(InitialContext jndi, String name) throws NamingException {
        try {
            return jndi.lookup(name);
        } catch (NamingException e) {
            NamingException named = new NamingException("lookup of " + name + " failed: " + causes(e));
            named.initCause(e);
            throw named;
        }
    }

    /** The messages of a throwable and its causes, so that the one naming the attribute reaches the log's first line. */
    static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && b.indexOf(c.getMessage()) < 0) {
                b.append(b.length() == 0 ? "" : " <- ").append(c.getMessage());
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return b.toString();
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (shop != null) {
            for (Object pool : new Object[] {shop.stock(), shop.orders(), shop.broker()}) {
                if (pool instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        event.getServletContext().log("closing " + pool + " failed", e);
                    }
                }
            }
        }
        if (nodeName != null) {
            ServiceRegistry.release(nodeName);
            event.getServletContext().log("shop stopped; its use of Pledge node " + nodeName + " given back");
        }
    }
}
