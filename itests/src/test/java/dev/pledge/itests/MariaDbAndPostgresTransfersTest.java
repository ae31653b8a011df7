package dev.pledge.itests;

import java.util.ArrayList;
import java.util.List;
import javax.sql.XADataSource;

/** Transfers between MariaDB (mysql-connector-j XA) and PostgreSQL (pgjdbc XA): neither can join branches. */
class MariaDbAndPostgresTransfersTest extends TransferBehaviour {

    @Override
    String nodeName() {
        return "itest-maria-pg";
    }

    @Override
    XADataSource leftXa() {
        return Servers.mariaDb();
    }

    @Override
    XADataSource rightXa() {
        return Servers.postgres();
    }

    @Override
    Accounts leftTable() {
        return new Accounts("pledge_it_transfer_left", Servers::mariaDbConnection);
    }

    @Override
    Accounts rightTable() {
        return new Accounts("pledge_it_transfer_right", Servers::postgresConnection);
    }

    /** 16 threads x 1,000: about a minute on 2 cores (each transfer forces the Pledge log and both servers' logs). */
    @Override
    int transfersPerThread() {
        return 1_000;
    }

    @Override
    List<String> leftoverXids() throws Exception {
        List<String> all = new ArrayList<>(Servers.mariaDbXidsOf(nodeName()));
        all.addAll(Servers.postgresXidsOf(nodeName()));
        return all;
    }
}
