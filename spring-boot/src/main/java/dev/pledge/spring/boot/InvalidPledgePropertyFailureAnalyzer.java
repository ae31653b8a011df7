package dev.pledge.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Boot's start-up failure report for a {@code pledge.*} property Pledge cannot start with: names the property and its value. */
final class InvalidPledgePropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPledgePropertyException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidPledgePropertyException cause) {
        return new FailureAnalysis("Pledge cannot start with this configuration: " + cause.getMessage(),
                "Update the property '" + cause.property() + "' in the application's configuration.", cause);
    }
}
