package dev.pledge.samples.shop;

import dev.pledge.tm.Health;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /pledge/health}: the transaction service's {@link Health}, for a load balancer or a
 * container's probe: 200 with {@code "status":"UP"} when its log can write decisions and the node is
 * not fenced, else 503 with {@code "DOWN"} and the log's problem; the figures under the names
 * {@link Health} gives them (and Spring Boot's health details and {@code pledge log inspect --json}).
 */
@WebServlet("/pledge/health")
public final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        dev.pledge.tm.TransactionService svc = StatusServlet.service(getServletContext(), response);
        if (svc == null) {
            return;
        }
        Health h = svc.health();
        Health.RecoveryPass pass = h.lastRecoveryPass();
        Json.send(response, h.isUp() ? 200 : 503, "{\"status\":" + Json.quote(h.isUp() ? "UP" : "DOWN") + ",\"node\":" + Json.quote(h.node())
                + ",\"logUsable\":" + h.logUsable() + ",\"logProblem\":" + (h.logProblem() == null ? "null" : Json.quote(h.logProblem()))
                + ",\"fenced\":" + h.fenced() + ",\"inDoubtDecisions\":" + h.inDoubtDecisions() + ",\"heuristicOutcomes\":"
                + h.heuristicOutcomes() + ",\"inFlight\":" + h.inFlight() + ",\"oldestInFlightMillis\":" + h.oldestInFlight().toMillis()
                + ",\"lastRecoveryPass\":" + (pass == null ? "null" : "{\"finishedAt\":" + Json.quote(pass.finishedAt().toString())
                        + ",\"clean\":" + pass.isClean() + "}") + "}");
    }
}
