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

/**
 * {@code POST /orders} with form fields {@code id} (the client's order id, so that it can look up an
 * order whose answer it never got), {@code sku} and {@code quantity}: one transaction writes the
 * order (PostgreSQL), sends its message (Artemis) and reserves the stock (MariaDB); no stock, no
 * order and no message. {@code GET /orders/{id}} reads an order back.
 */
@WebServlet("/orders/*")
public final class OrderServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Order order;
        try {
            order = Order.of(request.getParameter("id"), request.getParameter("sku"), request.getParameter("quantity"));
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, e.getMessage());
            return;
        }
        Shop shop = (Shop) getServletContext().getAttribute(Shop.ATTRIBUTE);
        try {
            if (new PlaceOrder(shop).place(order)) {
                Json.send(response, 201, order.json());
            } else {
                Json.error(response, 409, "out of stock: " + order.sku());
            }
        } catch (Exception e) {
            getServletContext().log("order " + order.id() + " failed", e);
            Json.error(response, 500, "order " + order.id() + " failed: " + ShopStartup.causes(e));
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || path.length() < 2) {
            Json.error(response, 404, "GET /orders/{id}");
            return;
        }
        String id = path.substring(1);
        Shop shop = (Shop) getServletContext().getAttribute(Shop.ATTRIBUTE);
        try (Connection c = shop.orders().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT sku, quantity FROM shop_orders WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    Json.send(response, 200, new Order(id, rs.getString(1), rs.getInt(2)).json());
                } else {
                    Json.error(response, 404, "no order " + id);
                }
            }
        } catch (SQLException e) {
            Json.error(response, 500, "reading order " + id + " failed: " + e.getMessage());
        }
    }
}
