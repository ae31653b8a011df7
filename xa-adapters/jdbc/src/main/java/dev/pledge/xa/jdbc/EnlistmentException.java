package dev.pledge.xa.jdbc;

import java.sql.SQLException;

/**
 * A pooled connection could not join the caller's transaction (the database refused to start the
 * branch, the transaction already has its last resource, ...). The message says which data source
 * and why; the cause is Pledge's exception. The data source then has the pool validate its idle
 * connections, so a broken one is not handed out again.
 */
final class EnlistmentException extends SQLException {
    EnlistmentException(String message, Throwable cause) {
        super(message, "25000", cause);
    }
}
