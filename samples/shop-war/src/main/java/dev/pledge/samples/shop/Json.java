package dev.pledge.samples.shop;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writing the shop's small JSON answers (keys and values are the shop's own: ids, SKUs, numbers). */
final class Json {
    private Json() {
    }

    static void send(HttpServletResponse response, int status, String json) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        send(response, status, "{\"error\":" + quote(message) + "}");
    }
}
