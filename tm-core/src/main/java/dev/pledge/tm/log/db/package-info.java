/**
 * The decision log in a database table set, for services without a durable local disk: the same
 * semantics as the file log (presumed abort, group commit, completions off the commit path),
 * reached through a plain {@link javax.sql.DataSource} with connections of its own, plus a node row
 * whose epoch fences a service that another one has taken over. {@link dev.pledge.tm.log.db.DatabaseJournal}
 * is the entry point; everything else is package-private.
 */
package dev.pledge.tm.log.db;
