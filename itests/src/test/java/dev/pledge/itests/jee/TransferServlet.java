package dev.pledge.itests.jee;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Looks up {@code java:comp/UserTransaction} and two data sources, and inserts row {@code id} into
 * both in one transaction; {@code fail=true} makes it roll back after the inserts.
 */
public class TransferServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long id = Long.parseLong(req.getParameter("id"));
        boolean fail = Boolean.parseBoolean(req.getParameter("fail"));
        try {
            InitialContext jndi = new InitialContext();
            UserTransaction ut = (UserTransaction) jndi.lookup("java:comp/UserTransaction");
            DataSource a = (DataSource) jndi.lookup("java:comp/env/jdbc/a");
            DataSource b = (DataSource) jndi.lookup("java:comp/env/jdbc/b");
            ut.begin();
            try {
                insert(a, id);
                insert(b, id);
                if (fail) {
                    throw new IllegalStateException("asked to fail");
                }
            } catch (Exception e) {
                ut.rollback();
                resp.getWriter().print("rolled back: " + e.getMessage());
                return;
            }
            ut.commit();
            resp.getWriter().print("committed");
        } catch (NamingException | jakarta.transaction.SystemException | jakarta.transaction.NotSupportedException
                | jakarta.transaction.RollbackException | jakarta.transaction.HeuristicMixedException
                | jakarta.transaction.HeuristicRollbackException e) {
            resp.sendError(500, e.toString());
        }
    }

    private static void insert(DataSource ds, long id) throws java.sql.SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO transfer (id) VALUES (?)")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }
}
