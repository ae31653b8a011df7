package dev.pledge.xa.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server and driver settings that would break XA only later (at a crash, or under load), found when
 * a data source is built: each a {@link Finding} that names the setting and what to do. Fatal ones
 * fail {@code build()}; the others are logged as warnings. The first XA checks (PostgreSQL without
 * prepared transactions, a user who cannot list them) are in {@link DatabaseProbe}.
 */
final class DriverPreflight {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

    /** One setting found wanting; {@code fatal} when XA cannot be trusted with it. */
    record Finding(boolean fatal, String setting, String problem, String fix) {
        String message(String dataSource, DatabaseProbe.Facts facts) {
            return "Data source '" + dataSource + "' (" + facts.product() + " at " + facts.url() + "): " + setting + ": " + problem + ". " + fix;
        }
    }

    private DriverPreflight() {
    }

    /** The findings for the server behind {@code c}, whose pool holds at most {@code maxPoolSize} connections. */
    static List<Finding> check(Connection c, DatabaseProbe.Facts facts, int maxPoolSize) throws SQLException {
        List<Finding> found = new ArrayList<>();
        if (facts.isMySqlFamily()) {
            preparedBranchesSurviveDisconnect(c.getMetaData().getDatabaseProductVersion()).ifPresent(found::add);
        }
        if (facts.isPostgres()) {
            preparedTransactionsForThePool(DatabaseProbe.maxPreparedTransactions(c, facts.url()), maxPoolSize).ifPresent(found::add);
        }
        return found;
    }

    /**
     * MariaDB before 10.5 (MDEV-742) and MySQL before 5.7.7 roll a prepared XA branch back when its
     * connection closes: a coordinator that crashes after its commit decision then finds the branch gone
     * and the decision half done. {@code version} is the server's, as the driver reports it
     * ({@code 5.5.5-10.11.19-MariaDB-0+deb12u1}, {@code 10.11.6-MariaDB}, {@code 8.0.36}).
     */
    static Optional<Finding> preparedBranchesSurviveDisconnect(String version) {
        String v = version == null ? "" : version;
        boolean mariaDb = v.toLowerCase(Locale.ROOT).contains("mariadb");
        if (mariaDb && v.startsWith("5.5.5-")) {
            v = v.substring("5.5.5-".length()); // the prefix MariaDB sends to old MySQL clients (seen on 10.11 with mysql-connector-j 9)
        }
        Matcher m = VERSION.matcher(v);
        if (!m.find()) {
            return Optional.empty(); // an unknown form: say nothing rather than guess
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        int patch = Integer.parseInt(m.group(3));
        boolean durable = mariaDb ? major > 10 || (major == 10 && minor >= 5)
                : major > 5 || (major == 5 && (minor > 7 || (minor == 7 && patch >= 7)));
        if (durable) {
            return Optional.empty();
        }
        return Optional.of(new Finding(true, "server version " + version,
                (mariaDb ? "MariaDB before 10.5" : "MySQL before 5.7.7") + " rolls a prepared XA branch back when its connection closes,"
                        + " so a crash after a commit decision would leave the transaction committed on the other resources only",
                "Upgrade the server (" + (mariaDb ? "MariaDB 10.5" : "MySQL 5.7.7") + " or later keeps prepared branches across disconnects)"));
    }

    /**
     * Each pooled connection can hold one prepared branch at a time; with fewer prepared transactions
     * allowed than connections, prepares fail under load ({@code maximum number of prepared
     * transactions reached}) and those transactions roll back. A warning: other pools, and other
     * services, share the server's limit, so no figure is right for certain.
     */
    static Optional<Finding> preparedTransactionsForThePool(int maxPrepared, int maxPoolSize) {
        if (maxPrepared >= maxPoolSize) {
            return Optional.empty();
        }
        return Optional.of(new Finding(false, "max_prepared_transactions = " + maxPrepared,
                "below this pool's maxPoolSize of " + maxPoolSize + ", so under load a PREPARE TRANSACTION can fail and its transaction"
                        + " roll back",
                "Raise max_prepared_transactions to at least the connections of every pool on this server (in conf.d, then restart"
                        + " PostgreSQL), or lower maxPoolSize"));
    }
}
