package io.aioduct.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/** Says where the dashboard and the actuator are once the app is ready. */
@Component
class StartupBanner implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

    private final DownstreamBase base;
    private final ClientDirectory clients;

    StartupBanner(DownstreamBase base, ClientDirectory clients) {
        this.base = base;
        this.clients = clients;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        var env = event.getApplicationContext().getEnvironment();
        String management = env.getProperty("local.management.port", env.getProperty("local.server.port", "?"));
        String host = base.base().getHost();
        log.info(
                "aioduct sample app ready: dashboard at {}/ ; actuator at http://{}:{}/actuator ; clients {}",
                base.base(),
                host,
                management,
                clients.names());
    }
}
