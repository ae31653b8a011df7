package dev.pledge.cli;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.sql.XAConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One recovery pass against the configured resources, with its report. Exit 0 when nothing is left, 2 otherwise. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Runs one recovery pass for a node's log against the XA data sources in a configuration file,",
                "and prints what it committed, rolled back and left pending. Exit 0 when nothing is left, 2 otherwise.",
                "The node's own transaction service must be stopped (it holds the log)."})
final class RecoverCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Properties file: node-name, log-directory (or database-log.url, .user, .password, .table-prefix),"
                    + " resource.NAME.xa-datasource and the data source's settings"
                    + " (resource.NAME.url, .user, .password, ...); jms.NAME.xa-factory-class and .url for a JMS broker.")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RecoveryConfig cfg = RecoveryConfig.load(config);
        for (RecoveryConfig.Resource r : cfg.resources().values()) {
            requireReachable(cfg, r);
        }
        for (RecoveryConfig.Broker b : cfg.brokers().values()) {
            requireReachable(cfg, b);
        }
        if (cfg.databaseLog() == null && !java.nio.file.Files.isDirectory(cfg.logDirectory())) {
            // a mistyped path: a pass on a new, empty log would roll back branches whose commit decision is in the real one
            throw new IllegalArgumentException(cfg.file() + ": log-directory " + cfg.logDirectory().toAbsolutePath() + " does not exist, so it"
                    + " holds no commit decision and a pass would roll back every prepared branch of node '" + cfg.nodeName()
                    + "' (presumed abort). Check log-directory; if the node's log is lost for good, create the directory first");
        }
        TransactionService.Builder builder = TransactionService.builder()
                .nodeName(cfg.nodeName())
                .renamedFrom(cfg.renamedFrom().toArray(String[]::new))
                .recoveryInterval(Duration.ZERO);
        if (cfg.databaseLog() != null) {
            builder.databaseLog(cfg.databaseLog().dataSource()).databaseLogTablePrefix(cfg.databaseLog().tablePrefix());
        } else {
            builder.logDirectory(cfg.logDirectory());
        }
        try (TransactionService svc = builder.build()) {
            cfg.resources().forEach((name, r) -> svc.recovery().register(name, TransactionalDataSource.recoveryResource(name, r.dataSource())));
            cfg.brokers().forEach((name, b) -> svc.recovery().register(name,
                    dev.pledge.xa.jms.TransactionalConnectionFactory.recoveryResource(name, b.factory())));
            cfg.resolveByXid().forEach(svc.recovery()::resolveByXid);
            RecoveryReport report = svc.recovery().runPass();
            out.println(report);
            return report.isClean() ? 0 : 2;
        }
    }

    /** Connects once to the broker, so that a wrong URL or a stopped broker is one clear error and not a pending pass. */
    private static void requireReachable(RecoveryConfig cfg, RecoveryConfig.Broker b) {
        try {
            b.factory().createXAConnection().close();
        } catch (jakarta.jms.JMSException | RuntimeException e) {
            throw new IllegalStateException("cannot connect to JMS connection factory '" + b.name() + "' at " + b.url() + ": "
                    + PledgeCli.firstLine(String.valueOf(e.getMessage())) + ". Check that the broker is running and jms." + b.name()
                    + ".url/user/password in " + cfg.file(), e);
        }
    }

    /** Connects once, so that a wrong URL or a stopped server is one clear error and not a pending pass. */
    private static void requireReachable(RecoveryConfig cfg, RecoveryConfig.Resource r) {
        try {
            XAConnection xa = r.dataSource().getXAConnection();
            xa.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to resource '" + r.name() + "' at " + r.url() + ": " + PledgeCli.firstLine(e.getMessage())
                    + ". Check that the database is running and resource." + r.name() + ".url/user/password in " + cfg.file(), e);
        }
    }
}
