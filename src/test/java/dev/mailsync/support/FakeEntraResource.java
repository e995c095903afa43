package dev.mailsync.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts {@link FakeEntra} for the tests, points mailsync's authority at it and injects it into test fields. */
public class FakeEntraResource implements QuarkusTestResourceLifecycleManager {

    private FakeEntra fake;

    @Override
    public Map<String, String> start() {
        fake = new FakeEntra();
        fake.startServer();
        return Map.of("mailsync.microsoft.authority", fake.authority());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(fake, new TestInjector.MatchesType(FakeEntra.class));
    }

    @Override
    public void stop() {
        if (fake != null) {
            fake.stopServer();
        }
    }
}
