package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** A {@code pledge.*} property the service cannot start with stops a real SpringApplication with Boot's failure report naming it. */
@ExtendWith(OutputCaptureExtension.class)
class MalformedPropertyFailureAnalysisTest {
    @TempDir
    Path dir;

    @Test
    void nodeNameWithAColonFailsStartUpNamingPledgeNodeName(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.node-name", "--pledge.node-name=shop:1");
        assertThat(output).contains("must not contain ':'").contains("Update the property 'pledge.node-name'");
    }

    @Test
    void nodeNameLongerThanAnXidCarriesFailsStartUpNamingPledgeNodeName(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.node-name", "--pledge.node-name=" + "n".repeat(48));
    }

    @Test
    void zeroDefaultTimeoutFailsStartUpNamingPledgeDefaultTimeout(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.default-timeout", "--pledge.default-timeout=0s");
    }

    @Test
    void negativeRecoveryIntervalFailsStartUpNamingPledgeRecoveryInterval(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.recovery-interval", "--pledge.recovery-interval=-1m");
    }

    @Test
    void negativeShutdownTimeoutFailsStartUpNamingPledgeShutdownTimeout(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.shutdown-timeout", "--pledge.shutdown-timeout=-5s");
        assertThat(output).contains("must be zero or positive").contains("Update the property 'pledge.shutdown-timeout'");
    }

    @Test
    void unparsableDurationFailsStartUpNamingPledgeDefaultTimeout(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.default-timeout", "--pledge.default-timeout=soon");
        assertThat(output).contains("Failed to bind properties under 'pledge.default-timeout'");
    }

    @Test
    void dataSourceGroupWithoutAUrlFailsStartUpNamingItsMissingUrl(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.datasources.orders.url", "--pledge.datasources.orders.username=shop");
        assertThat(output).contains("is required");
    }

    @Test
    void dataSourceGroupWithAnUnknownXaClassFailsStartUpNamingIt(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.datasources.orders.xa-data-source-class-name",
                "--pledge.datasources.orders.xa-data-source-class-name=com.example.NoSuchXADataSource");
    }

    @Test
    void dataSourceGroupWithAZeroPoolFailsStartUpNamingItsMaxPoolSize(CapturedOutput output) {
        assertStartUpFailsNaming(output, "pledge.datasources.orders.max-pool-size",
                "--pledge.datasources.orders.url=" + Servers.POSTGRES_URL, "--pledge.datasources.orders.max-pool-size=0");
    }

    @Test
    void zeroJmsMaxConnectionsFailsStartUpNamingPledgeJmsMaxConnections(CapturedOutput output) {
        assertStartUpFailsNaming(WithArtemis.class, output, "pledge.jms.max-connections", "--spring.artemis.mode=native",
                "--spring.artemis.broker-url=tcp://127.0.0.1:1", "--pledge.jms.max-connections=0");
        assertThat(output).contains("must be at least 1");
    }

    @Test
    void zeroJmsSessionsPerConnectionFailsStartUpNamingIt(CapturedOutput output) {
        assertStartUpFailsNaming(WithArtemis.class, output, "pledge.jms.max-sessions-per-connection", "--spring.artemis.mode=native",
                "--spring.artemis.broker-url=tcp://127.0.0.1:1", "--pledge.jms.max-sessions-per-connection=0");
    }

    @Test
    void blankJmsNameFailsStartUpNamingPledgeJmsName(CapturedOutput output) {
        assertStartUpFailsNaming(WithArtemis.class, output, "pledge.jms.name", "--spring.artemis.mode=native",
                "--spring.artemis.broker-url=tcp://127.0.0.1:1", "--pledge.jms.name= ");
    }

    @Test
    void blankDatasourceNameFailsStartUpNamingPledgeDatasourceName(CapturedOutput output) {
        assertStartUpFailsNaming(WithSpringDatasource.class, output, "pledge.datasource.name",
                "--spring.datasource.url=" + Servers.POSTGRES_URL, "--pledge.datasource.name= ");
    }

    @Test
    void zeroDatasourceMaxPoolSizeFailsStartUpNamingPledgeDatasourceMaxPoolSize(CapturedOutput output) {
        assertStartUpFailsNaming(WithSpringDatasource.class, output, "pledge.datasource.max-pool-size",
                "--spring.datasource.url=" + Servers.POSTGRES_URL, "--pledge.datasource.max-pool-size=0");
    }

    private void assertStartUpFailsNaming(CapturedOutput output, String property, String... args) {
        assertStartUpFailsNaming(Minimal.class, output, property, args);
    }

    private void assertStartUpFailsNaming(Class<?> configuration, CapturedOutput output, String property, String... args) {
        SpringApplication app = new SpringApplication(configuration);
        app.setWebApplicationType(WebApplicationType.NONE);
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--pledge.log.directory=" + dir.resolve("log");
        assertThatThrownBy(() -> app.run(all)).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START");
        // the report's action (Pledge's analyzer) or description (Boot's binder analyzer) names the property
        assertThat(output.toString()).containsAnyOf("Update the property '" + property + "'", "Failed to bind properties under '" + property + "'");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(PledgeAutoConfiguration.class)
    static class Minimal {
    }

    /** With Boot's Artemis auto-configuration, whose connection factory goes through the starter's XA wrapper. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({PledgeAutoConfiguration.class, org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration.class})
    static class WithArtemis {
    }

    /** With Boot's XA data source auto-configuration, whose {@code spring.datasource} goes through the starter's XA wrapper. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({PledgeAutoConfiguration.class, org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration.class})
    static class WithSpringDatasource {
    }
}
