/**
 * JMS for Pledge: a pooling connection factory whose sessions join Pledge transactions, and a
 * bridge that moves messages between two brokers exactly once.
 *
 * <h2>Enlistment ({@link dev.pledge.xa.jms.TransactionalConnectionFactory})</h2>
 * Pooling and enlistment are pooled-jms's {@code JmsPoolXAConnectionFactory}, given Pledge's
 * {@code TransactionManager}: a session created while the thread has a transaction is enlisted by
 * pooled-jms itself and returned to the pool after completion. pooled-jms would enlist the
 * provider's raw XAResource, which Pledge can only name by class; so the factory subclasses the pool
 * ({@code createPooledConnection}) to make connections that override pooled-jms's
 * {@code PooledXAConnection.createXaResource} hook, the one place it obtains the resource to
 * enlist, and return {@code PledgeXAResource.named(factoryName, joinable=true, raw)} there. The
 * recovery log thus records the factory's name next to each branch, and the factory registers the
 * same name with {@code svc.recovery()} (a fresh XA connection and session per pass, closed after
 * it), so a restarted service finishes in-doubt branches and completes their decisions.
 *
 * <h2>Bridge ({@link dev.pledge.xa.jms.JmsBridge})</h2>
 * Each worker keeps one XA connection and session per broker open (a consumer on the source, a
 * producer on the target and one for the dead-letter queue on the source) and, per batch: begins a
 * Pledge transaction, enlists both sessions' XAResources under the configured resource names,
 * receives up to {@code batchSize} messages within {@code maxBatchWait} of the first, sends each
 * on, and commits with two-phase commit. An empty batch is rolled back (no log write). Any failure
 * rolls back, closes the connections and retries after an exponential backoff; the failed batch's
 * messages are then moved one per transaction, so a message that keeps failing is dead-lettered
 * alone once its JMSXDeliveryCount exceeds {@code maxDeliveries}. Crash safety rests on Pledge:
 * a worker runs a recovery pass before its first batch, and background recovery (if enabled)
 * finishes branches left in doubt by a broker failure. Lag is reported as the age of the newest
 * message of the last committed batch, because JMS has no portable queue depth.
 */
package dev.pledge.xa.jms;
