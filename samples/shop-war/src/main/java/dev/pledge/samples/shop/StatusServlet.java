package dev.pledge.samples.shop;

import dev.pledge.jee.PledgeUserTransaction;
import dev.pledge.jee.ServiceRegistry;
import dev.pledge.tm.TransactionService;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /pledge/status}: the node's name, its in-doubt count (commit decisions whose branches
 * are not all finished yet), its active transactions, and how many of the server's threads are
 * Pledge's ({@code pledge-*}), so that an operator sees none pile up across redeployments.
 */
@WebServlet("/pledge/status")
public final class StatusServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        TransactionService svc = service(getServletContext(), response);
        if (svc == null) {
            return;
        }
        Json.send(response, 200, "{\"node\":" + Json.quote(svc.nodeName()) + ",\"inDoubt\":" + svc.metrics().getPendingDecisions()
                + ",\"active\":" + svc.metrics().getActiveTransactions() + ",\"pledgeThreads\":" + pledgeThreads() + "}");
    }

    /** The shop's transaction service, found through its {@code java:comp/UserTransaction}; null after answering 500 when that is not Pledge's. */
    static TransactionService service(jakarta.servlet.ServletContext context, HttpServletResponse response) throws IOException {
        Shop shop = (Shop) context.getAttribute(Shop.ATTRIBUTE);
        if (!(shop.transaction() instanceof PledgeUserTransaction pledge)) {
            Json.error(response, 500, "java:comp/UserTransaction is not Pledge's: " + shop.transaction().getClass().getName());
            return null;
        }
        return ServiceRegistry.require(pledge.nodeName());
    }

    private static long pledgeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("pledge-")).count();
    }
}
