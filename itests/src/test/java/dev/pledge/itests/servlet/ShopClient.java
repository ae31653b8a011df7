package dev.pledge.itests.servlet;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shop's HTTP API, as a client sees it. */
final class ShopClient {
    /** What the client learnt of an order. */
    enum Outcome {
        /** 201: the shop said it committed. */
        PLACED,
        /** 409: the shop said it rolled back for want of stock. */
        OUT_OF_STOCK,
        /** Another status: the shop said it failed. */
        FAILED,
        /** No answer (the server died, or was not there). */
        UNANSWERED
    }

    private static final Pattern IN_DOUBT = Pattern.compile("\"inDoubt\":(\\d+)");
    private static final Pattern PLEDGE_THREADS = Pattern.compile("\"pledgeThreads\":(\\d+)");
    /** The server's root; the shop is deployed at /shop. */
    private final URI server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ShopClient(URI server) {
        this.server = server;
    }

    Outcome order(String id, String sku, int quantity) throws InterruptedException {
        String form = "id=" + enc(id) + "&sku=" + enc(sku) + "&quantity=" + quantity;
        HttpRequest request = HttpRequest.newBuilder(server.resolve("/shop/orders")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
            return switch (status) {
                case 201 -> Outcome.PLACED;
                case 409 -> Outcome.OUT_OF_STOCK;
                default -> Outcome.FAILED;
            };
        } catch (IOException e) {
            return Outcome.UNANSWERED;
        }
    }

    /** The answer to {@code GET path} (relative to the shop): status and body. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.resolve("/shop" + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Whether {@code GET /pledge/status} answers 200. */
    boolean isUp() throws InterruptedException {
        try {
            return get("/pledge/status").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The in-doubt count {@code GET /pledge/status} reports. */
    int inDoubt() throws IOException, InterruptedException {
        return status(IN_DOUBT);
    }

    /** How many {@code pledge-*} threads {@code GET /pledge/status} reports in the server. */
    int pledgeThreads() throws IOException, InterruptedException {
        return status(PLEDGE_THREADS);
    }

    private int status(Pattern field) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/pledge/status");
        Matcher m = field.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new AssertionError("GET /pledge/status answered " + r.statusCode() + ": " + r.body());
        }
        return Integer.parseInt(m.group(1));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
