package dev.pledge.itests.bank;

/**
 * Where the bank's servers are, read from system properties so that the same beans run in the
 * Arquillian container and in the coordinator's child JVM.
 */
record BankConfig(int mariaDbPort, String brokerUrl, String zooKeeper) {
    static final String DATABASE = "pledge_e2e";
    static final String MARIADB = "e2e-maria";
    static final String POSTGRES = "e2e-pg";
    static final String BROKER = "e2e-broker";
    static final String LOCKS = "e2e-locks";
    static final String LOCK_PATH = "/pledge-e2e";
    static final String QUEUE = "e2e.transfers";
    /** Accounts per database. */
    static final int ACCOUNTS = 6;
    static final long OPENING_BALANCE = 1_000;

    private static final String MARIADB_PORT = "e2e.mariaDbPort";
    private static final String BROKER_URL = "e2e.brokerUrl";
    private static final String ZOOKEEPER = "e2e.zooKeeper";

    static BankConfig fromSystemProperties() {
        return new BankConfig(Integer.parseInt(required(MARIADB_PORT)), required(BROKER_URL), required(ZOOKEEPER));
    }

    void toSystemProperties() {
        System.setProperty(MARIADB_PORT, Integer.toString(mariaDbPort));
        System.setProperty(BROKER_URL, brokerUrl);
        System.setProperty(ZOOKEEPER, zooKeeper);
    }

    static void clearSystemProperties() {
        System.clearProperty(MARIADB_PORT);
        System.clearProperty(BROKER_URL);
        System.clearProperty(ZOOKEEPER);
    }

    String[] args() {
        return new String[] {Integer.toString(mariaDbPort), brokerUrl, zooKeeper};
    }

    static BankConfig fromArgs(String[] args, int from) {
        return new BankConfig(Integer.parseInt(args[from]), args[from + 1], args[from + 2]);
    }

    private static String required(String key) {
        String v = System.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("system property " + key + " is not set: the bank beans need the test's servers");
        }
        return v;
    }

    static long mariaDbAccount(int i) {
        return i + 1;
    }

    static long postgresAccount(int i) {
        return 101 + i;
    }

    static boolean inMariaDb(long account) {
        return account < 100;
    }

    static String lockKey(long account) {
        return "account-" + account;
    }
}
