package dev.pledge.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The same transfer with no transaction manager: each worker holds one XAConnection per database
 * and calls start/end/prepare/prepare, writes the commit decision (128 bytes) to a file of its own
 * and forces it ({@code fdatasync}) before commit/commit, as a careful hand-written 2PC must. The
 * floor Pledge's overhead is measured against: no pool, no enlistment, no shared log.
 */
final class HandWrittenXa implements DbContender {
    private static final int FORMAT_ID = 0x42454e43; // "BENC"
    private final List<AutoCloseable> open = new ArrayList<>();

    @Override
    public LoadLoop.Body start(DbServers servers, Path dir, int threads, int maxPoolSize) throws Exception {
        String boot = "bench-hand:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        Worker[] workers = new Worker[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Worker(servers.mariadbXa().getXAConnection(), servers.postgresXa().getXAConnection(),
                    FileChannel.open(dir.resolve("decisions-" + t), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                    boot + t + ":");
            open.add(workers[t]);
        }
        return thread -> workers[thread].transfer(thread);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** One thread's connections and decision file. */
    private static final class Worker implements AutoCloseable {
        private final XAConnection mariaXa;
        private final XAConnection pgXa;
        private final Connection maria;
        private final Connection pg;
        private final FileChannel decisions;
        private final String gtridPrefix;
        private final ByteBuffer record = ByteBuffer.allocateDirect(128);
        private long sequence;

        Worker(XAConnection mariaXa, XAConnection pgXa, FileChannel decisions, String gtridPrefix) throws Exception {
            this.mariaXa = mariaXa;
            this.pgXa = pgXa;
            this.maria = mariaXa.getConnection();
            this.pg = pgXa.getConnection();
            this.decisions = decisions;
            this.gtridPrefix = gtridPrefix;
        }

        void transfer(int thread) throws Exception {
            byte[] gtrid = (gtridPrefix + sequence++).getBytes(StandardCharsets.US_ASCII);
            Xid m = new BenchXid(gtrid, new byte[] {1});
            Xid p = new BenchXid(gtrid, new byte[] {2});
            XAResource a = mariaXa.getXAResource();
            XAResource b = pgXa.getXAResource();
            int account = Transfer.account(thread);
            boolean decided = false;
            try {
                a.start(m, XAResource.TMNOFLAGS);
                b.start(p, XAResource.TMNOFLAGS);
                Transfer.update(maria, Transfer.DEBIT, account);
                Transfer.update(pg, Transfer.CREDIT, account);
                a.end(m, XAResource.TMSUCCESS);
                b.end(p, XAResource.TMSUCCESS);
                a.prepare(m);
                b.prepare(p);
                decide(gtrid);
                decided = true;
                a.commit(m, false);
                b.commit(p, false);
            } catch (Exception e) {
                if (!decided) { // presumed abort: nothing logged, so both branches roll back
                    rollBackQuietly(a, m, e);
                    rollBackQuietly(b, p, e);
                }
                throw e;
            }
        }

        private static void rollBackQuietly(XAResource r, Xid xid, Exception cause) {
            try {
                r.end(xid, XAResource.TMFAIL);
            } catch (Exception ignored) {
                // not started, or already ended
            }
            try {
                r.rollback(xid);
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }

        private void decide(byte[] gtrid) throws IOException {
            record.clear();
            record.put(gtrid, 0, Math.min(gtrid.length, 128));
            record.position(128).flip();
            while (record.hasRemaining()) {
                decisions.write(record);
            }
            decisions.force(false);
        }

        @Override
        public void close() throws Exception {
            maria.close();
            pg.close();
            mariaXa.close();
            pgXa.close();
            decisions.close();
        }
    }

    private record BenchXid(byte[] gtrid, byte[] bqual) implements Xid {
        @Override
        public int getFormatId() {
            return FORMAT_ID;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }
    }
}
