package dev.pledge.samples.shop;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** {@code GET /stock/{sku}}: the quantity left of one SKU. */
@WebServlet("/stock/*")
public final class StockServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || path.length() < 2) {
            Json.error(response, 404, "GET /stock/{sku}");
            return;
        }
        String sku = path.substring(1);
        Shop shop = (Shop) getServletContext().getAttribute(Shop.ATTRIBUTE);
        try (Connection c = shop.stock().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT quantity FROM shop_stock WHERE sku = ?")) {
            s.setString(1, sku);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    Json.send(response, 200, "{\"sku\":" + Json.quote(sku) + ",\"quantity\":" + rs.getInt(1) + "}");
                } else {
                    Json.error(response, 404, "no SKU " + sku);
                }
            }
        } catch (SQLException e) {
            Json.error(response, 500, "reading stock of " + sku + " failed: " + e.getMessage());
        }
    }
}
