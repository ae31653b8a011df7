package dev.pledge.cli;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One recovery pass against the configured resources, with its report. Exit 0 when nothing is left, 2 otherwise. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = "Runs one recovery pass for a node's log against the XA data sources in a configuration file.")
final class RecoverCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "Properties file: node-name, log-directory, resource.NAME.*")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RecoveryConfig cfg = RecoveryConfig.load(config);
        TransactionService.Builder builder = TransactionService.builder()
                .nodeName(cfg.nodeName())
                .logDirectory(cfg.logDirectory())
                .recoveryInterval(Duration.ZERO);
        try (TransactionService svc = builder.build()) {
            cfg.resources().forEach((name, ds) -> svc.recovery().register(name, () -> open(name, ds)));
            RecoveryReport report = svc.recovery().runPass();
            out.println(report);
            return report.isClean() ? 0 : 2;
        }
    }

    private static PledgeXAResource open(String name, XADataSource ds) {
        try {
            XAConnection xa = ds.getXAConnection();
            return PledgeXAResource.named(name, false, xa.getXAResource(), xa::close);
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to " + name + ": " + e.getMessage(), e);
        }
    }
}
