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

    /** 16 threads x 250: a 2PC over MariaDB and PostgreSQL forces several logs per transfer; 1,000 each takes minutes on 2 cores. */
    @Override
    int transfersPerThread() {
        return 250;
    }

    @Override
    List<String> leftoverXids() throws Exception {
        List<String> all = new ArrayList<>(Servers.mariaDbXidsOf(nodeName()));
        all.addAll(Servers.postgresXidsOf(nodeName()));
        return all;
    }
}
