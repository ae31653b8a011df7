package dev.pledge.itests.bank;

import dev.pledge.jee.cdi.PledgeExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The coordinator process of {@link BankFaultMatrixTest}: Weld SE with the Pledge extension runs
 * {@link Bank} transfers from several threads until told to stop on standard input (or killed).
 * <pre>LOG_DIR NODE THREADS MARIADB_PORT BROKER_URL ZOOKEEPER</pre>
 * Commands on stdin: {@code expire} (expire the ZooKeeper session now), {@code stop}.
 * At the end it prints {@code committed N} and {@code failed {cause=count, ...}}.
 */
public final class BankApp {
    private BankApp() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("pledge.logDirectory", args[0]);
        System.setProperty("pledge.nodeName", args[1]);
        System.setProperty("pledge.recoveryInterval", "0");
        System.setProperty("pledge.defaultTimeout", "20s");
        int threads = Integer.parseInt(args[2]);
        BankConfig.fromArgs(args, 3).toSystemProperties();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger committed = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        try (WeldContainer weld = new Weld().disableDiscovery().addExtension(new PledgeExtension())
                .addBeanClasses(Bank.class, BankResources.class).initialize()) {
            BankResources resources = weld.select(BankResources.class).get();
            resources.locks(); // opens the resources now, not in the first transfer
            Bank bank = weld.select(Bank.class).get();
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    while (running.get()) {
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        long m = BankConfig.mariaDbAccount(r.nextInt(BankConfig.ACCOUNTS));
                        long p = BankConfig.postgresAccount(r.nextInt(BankConfig.ACCOUNTS));
                        boolean toPostgres = r.nextBoolean();
                        try {
                            bank.transfer(UUID.randomUUID().toString(), toPostgres ? m : p, toPostgres ? p : m, r.nextLong(1, 60));
                            committed.incrementAndGet();
                        } catch (Exception e) {
                            failures.merge(cause(e), 1, Integer::sum);
                        }
                    }
                }, "transfers-" + t);
                worker.start();
                load.add(worker);
            }
            System.out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
                if (line.equals("expire")) {
                    resources.expireZooKeeperSession();
                    System.out.println("expired");
                }
            }
            running.set(false);
            for (Thread t : load) {
                t.join();
            }
            System.out.println("committed " + committed.get());
            System.out.println("failed " + new TreeMap<>(failures));
        }
        System.out.println("stopped");
    }

    /** The kind of failure, for the summary: the lock service's no vote, an overdraft, or the root cause's class. */
    private static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String msg = String.valueOf(t.getMessage());
            if (msg.contains("voted no") && msg.contains(BankConfig.LOCKS)) {
                return "lock-vote-no";
            }
            if (t instanceof Bank.InsufficientFunds) {
                return "overdraft";
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
