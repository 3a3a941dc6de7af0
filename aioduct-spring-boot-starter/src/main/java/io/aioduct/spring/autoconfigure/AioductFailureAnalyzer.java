package io.aioduct.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a runtime that cannot run here, and which properties choose another. */
class AioductFailureAnalyzer extends AbstractFailureAnalyzer<RuntimeUnavailableAtStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RuntimeUnavailableAtStartupException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
