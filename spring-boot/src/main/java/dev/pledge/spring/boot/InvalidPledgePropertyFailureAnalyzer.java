package dev.pledge.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Boot's start-up failure report for a {@code pledge.*} property the service cannot start with. */
final class InvalidPledgePropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPledgePropertyException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidPledgePropertyException cause) {
        return new FailureAnalysis("Pledge could not start its transaction service: " + cause.getMessage(),
                "Update the property '" + cause.property() + "' in the application's configuration.", cause);
    }
}
