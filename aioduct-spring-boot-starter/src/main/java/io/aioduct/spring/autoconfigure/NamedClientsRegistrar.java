package io.aioduct.spring.autoconfigure;

import io.aioduct.AioductClient;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one {@link AioductClient} bean per {@code aioduct.clients.<name>}: bean name {@code
 * <name>AioductClient}, qualifier {@code <name>}, made by the {@link AioductClients} bean. Only the names are
 * read here; the values are bound and validated with {@link AioductProperties}, which fails start-up on a
 * bad one before any of these beans is made. Not a default candidate: injecting {@code AioductClient} without
 * a qualifier still gets the default client.
 */
final class NamedClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {
    static final String CLIENTS_BEAN = "aioductClients";
    private static final ConfigurationPropertyName CLIENTS = ConfigurationPropertyName.of("aioduct.clients");

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        for (String name : names(environment)) {
            if (name.equals(AioductClients.DEFAULT)) {
                continue; // refused by AioductPropertiesValidator, with a message
            }
            RootBeanDefinition client = new RootBeanDefinition(AioductClient.class);
            client.setFactoryBeanName(CLIENTS_BEAN);
            client.setFactoryMethodName("client");
            client.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
            client.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            client.setDefaultCandidate(false);
            String bean = name + "AioductClient";
            if (!registry.containsBeanDefinition(bean)) {
                registry.registerBeanDefinition(bean, client);
            }
        }
    }

    /** The {@code <name>} of every {@code aioduct.clients.<name>.*} property, in the order first seen. */
    static Set<String> names(Environment environment) {
        Set<String> names = new LinkedHashSet<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                iterable.stream()
                        .filter(p -> CLIENTS.isAncestorOf(p) && p.getNumberOfElements() > 2)
                        .forEach(p -> names.add(p.getElement(2, ConfigurationPropertyName.Form.ORIGINAL)));
            }
        }
        return names;
    }
}
