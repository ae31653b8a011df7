package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration.Setting;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * The XA data source classes a JNDI reference may name: the common drivers' by default, plus those
 * listed (comma-separated) in the system property {@value #PROPERTY}. A system property, not a
 * reference attribute, because whoever writes the reference is what the list guards against.
 */
final class XaDataSourceClasses {
    /** System property that adds classes to the allow-list. */
    static final String PROPERTY = "dev.pledge.jndi.xaDataSourceClasses";
    static final Set<String> DEFAULTS = Set.of(
            "org.postgresql.xa.PGXADataSource",
            "com.mysql.cj.jdbc.MysqlXADataSource",
            "org.mariadb.jdbc.MariaDbDataSource",
            "org.h2.jdbcx.JdbcDataSource",
            "oracle.jdbc.xa.client.OracleXADataSource",
            "com.microsoft.sqlserver.jdbc.SQLServerXADataSource",
            "com.ibm.db2.jcc.DB2XADataSource",
            "org.hsqldb.jdbc.pool.JDBCXADataSource",
            "org.apache.derby.jdbc.ClientXADataSource",
            "org.apache.derby.client.BasicClientXADataSource40");

    private XaDataSourceClasses() {
    }

    static void requireAllowed(Setting className) {
        String name = className.value().trim();
        Set<String> allowed = allowed();
        if (!allowed.contains(name)) {
            throw new IllegalArgumentException(className + " is not an allowed XA data source class: a JNDI reference may name only "
                    + allowed + "; add a class to the list with -D" + PROPERTY + "=" + name);
        }
    }

    static Set<String> allowed() {
        Set<String> all = new TreeSet<>(DEFAULTS);
        String extra = System.getProperty(PROPERTY, "");
        Arrays.stream(extra.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(all::add);
        return all;
    }
}
