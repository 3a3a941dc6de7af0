package io.aioduct.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs chosen tests many times in one JVM, the way a flaky test is made to show itself: {@code
 * scripts/stress} starts it beside busy loops that keep both cores loaded. Not a test itself.
 *
 * <p>Arguments: the repetition count, then one or more selectors {@code Class#method[filter]}: a fully
 * qualified test class, optionally a method name, optionally a case-insensitive substring of the
 * parameterised invocation's display name, letters and digits only (for example {@code [POOLED]} or {@code
 * [io_uring]}). Exits 1 if any run failed.
 */
public final class StressRunner {
    private static volatile List<Selector> active = List.of();

    private StressRunner() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: StressRunner <repetitions> <Class[#method][[filter]]>...");
            System.exit(2);
        }
        int repetitions = Integer.parseInt(args[0]);
        List<Selector> selectors = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            selectors.add(Selector.parse(args[i]));
        }
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request();
        for (Selector s : selectors) {
            builder.selectors(selectClass(Class.forName(s.className)));
        }
        builder.filters((PostDiscoveryFilter) descriptor -> keep(descriptor, selectors));
        // Parameterised invocations exist only once they run: InvocationFilter (auto-detected through
        // META-INF/services, which the normal build leaves off) skips the ones no selector names.
        builder.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true");
        active = List.copyOf(selectors);
        LauncherDiscoveryRequest request = builder.build();

        Counts counts = new Counts();
        var launcher = LauncherFactory.create();
        for (int run = 1; run <= repetitions; run++) {
            counts.run = run;
            launcher.execute(request, counts);
            if (run % 10 == 0 || run == repetitions) {
                System.out.printf(
                        Locale.ROOT,
                        "stress: %d/%d runs, %d tests passed, %d failed%n",
                        run,
                        repetitions,
                        counts.passed,
                        counts.failed);
            }
        }
        if (counts.passed == 0 && counts.failed == 0) {
            System.out.println("stress: no test matched " + selectors);
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "%d passed, %d failed%n", counts.passed, counts.failed);
        System.exit(counts.failed == 0 ? 0 : 1);
    }

    private static FilterResult keep(TestDescriptor descriptor, List<Selector> selectors) {
        // Methods only here: a parameterised method's invocations are filtered as they run.
        if (!(descriptor.getSource().orElse(null) instanceof MethodSource m)) {
            return FilterResult.included("container");
        }
        for (Selector s : selectors) {
            if (s.matches(m)) {
                return FilterResult.included("selected");
            }
        }
        return FilterResult.excluded("not selected");
    }

    /** Skips parameterised invocations whose display name no selector's filter names; off outside a stress run. */
    public static final class InvocationFilter implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            List<Selector> selectors = active;
            if (selectors.isEmpty() || context.getTestMethod().isEmpty()) {
                return ConditionEvaluationResult.enabled("not a stress run");
            }
            String cls = context.getRequiredTestClass().getName();
            String name = context.getRequiredTestMethod().getName();
            // A parameterised method's own context (the template) runs; its invocations are filtered.
            boolean invocation =
                    context.getParent().flatMap(ExtensionContext::getTestMethod).isPresent();
            String display = normalise(context.getDisplayName());
            for (Selector s : selectors) {
                if (s.className.equals(cls)
                        && (s.method.isEmpty() || s.method.equals(name))
                        && (s.filter.isEmpty() || !invocation || display.contains(s.filter))) {
                    return ConditionEvaluationResult.enabled("selected");
                }
            }
            return ConditionEvaluationResult.disabled("not selected for this stress run");
        }
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private record Selector(String className, String method, String filter) {
        static Selector parse(String arg) {
            String filter = "";
            int bracket = arg.indexOf('[');
            if (bracket >= 0) {
                filter = arg.substring(bracket + 1, arg.endsWith("]") ? arg.length() - 1 : arg.length());
                arg = arg.substring(0, bracket);
            }
            int hash = arg.indexOf('#');
            String method = hash < 0 ? "" : arg.substring(hash + 1);
            String cls = hash < 0 ? arg : arg.substring(0, hash);
            return new Selector(cls, method, normalise(filter));
        }

        boolean matches(MethodSource m) {
            if (!m.getClassName().equals(className)) return false;
            if (!method.isEmpty() && !m.getMethodName().equals(method)) return false;
            return true;
        }
    }

    private static final class Counts implements TestExecutionListener {
        int run;
        int passed;
        int failed;

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest()) {
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    report(id, result);
                }
                return;
            }
            if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                passed++;
            } else {
                report(id, result);
            }
        }

        private void report(TestIdentifier id, TestExecutionResult result) {
            failed++;
            StringWriter trace = new StringWriter();
            result.getThrowable().ifPresent(t -> t.printStackTrace(new PrintWriter(trace)));
            System.out.printf(Locale.ROOT, "stress: run %d FAILED %s%n%s%n", run, id.getUniqueId(), trace);
        }
    }
}
