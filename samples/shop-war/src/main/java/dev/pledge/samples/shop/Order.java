package dev.pledge.samples.shop;

import java.util.regex.Pattern;

/** An order as the client sent it. */
record Order(String id, String sku, int quantity) {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    static Order of(String id, String sku, String quantity) {
        int q;
        try {
            q = Integer.parseInt(required("quantity", quantity));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("quantity must be a whole number, not '" + quantity + "'");
        }
        if (q < 1) {
            throw new IllegalArgumentException("quantity must be at least 1, not " + q);
        }
        return new Order(token("id", id), token("sku", sku), q);
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the form field " + field + " is missing");
        }
        return value.trim();
    }

    private static String token(String field, String value) {
        String v = required(field, value);
        if (!TOKEN.matcher(v).matches()) {
            throw new IllegalArgumentException(field + " must be 1-64 letters, digits, '_', '.' or '-', not '" + v + "'");
        }
        return v;
    }

    String json() {
        return "{\"id\":" + Json.quote(id) + ",\"sku\":" + Json.quote(sku) + ",\"quantity\":" + quantity + "}";
    }
}
