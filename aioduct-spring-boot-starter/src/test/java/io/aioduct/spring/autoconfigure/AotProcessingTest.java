package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.http.AioductClientHttpRequestFactoryBuilder;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles.Kind;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.io.InputStreamSource;
import org.springframework.javapoet.ClassName;
import org.springframework.web.client.RestClient;

/**
 * Spring AOT (what a native-image build runs first, no GraalVM needed) processes a context with the starter;
 * the generated sources compile, and the context they initialise starts on every runtime and sends a
 * request through Spring Boot's {@link RestClient.Builder} on aioduct. The runtime hints cover what the
 * starter and the engine load by name.
 *
 * <p>spring-core-test's {@code TestCompiler} is not used (not in the build's repository): the generated
 * sources are compiled with the JDK's compiler, and each class is defined in the package it was generated
 * for (generated code reaches package-private members, as it does in a real build).
 */
class AotProcessingTest extends NoLeaks {
    private static InMemoryGeneratedFiles generated;
    private static RuntimeHints hints;
    private static Class<?> initializer;
    private static Class<?> namedInitializer;

    private static final String NAMED_CLIENT = "aioduct.clients.edge.runtime.kind=virtual";

    private TestServer server;

    /** An application with the starter and Spring Boot's RestClient support, nothing else. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({
        HttpClientAutoConfiguration.class,
        ImperativeHttpClientAutoConfiguration.class,
        HttpMessageConvertersAutoConfiguration.class,
        RestClientAutoConfiguration.class,
        AioductAutoConfiguration.class,
        AioductHttpClientAutoConfiguration.class
    })
    public static class Application {}

    /** Processes the application ahead of time once; the generated classes can be defined only once. */
    @BeforeAll
    static void processAheadOfTime() throws Exception {
        generated = new InMemoryGeneratedFiles();
        DefaultGenerationContext generation =
                new DefaultGenerationContext(new ClassNameGenerator(ClassName.get(Application.class)), generated);
        initializer = processAheadOfTime(generation, generated);
        hints = generation.getRuntimeHints();
        InMemoryGeneratedFiles withNamed = new InMemoryGeneratedFiles();
        // A name of its own: the same beans are generated again, into classes that must not clash.
        namedInitializer = processAheadOfTime(
                new DefaultGenerationContext(new ClassNameGenerator(ClassName.get(Application.class)), withNamed)
                        .withName("Named"),
                withNamed,
                NAMED_CLIENT);
    }

    /** Runs AOT on {@link Application} with {@code properties}; returns the initializer it generated, loaded. */
    private static Class<?> processAheadOfTime(
            DefaultGenerationContext generation, InMemoryGeneratedFiles files, String... properties) throws Exception {
        GenericApplicationContext context = new GenericApplicationContext();
        TestPropertyValues.of(properties).applyTo(context);
        AnnotationConfigUtils.registerAnnotationConfigProcessors(context);
        context.registerBean(Application.class);
        ClassName initializerName = new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
        generation.writeGeneratedContent();
        defineAll(compile(files.getGeneratedFiles(Kind.SOURCE)), files.getGeneratedFiles(Kind.CLASS));
        return Class.forName(initializerName.reflectionName());
    }

    /** A context from the classes {@code initializer} heads, with {@code properties}, started. */
    private static GenericApplicationContext start(Class<?> initializer, String... properties) throws Exception {
        GenericApplicationContext context = new GenericApplicationContext();
        TestPropertyValues.of(properties).applyTo(context);
        @SuppressWarnings("unchecked")
        ApplicationContextInitializer<GenericApplicationContext> init =
                (ApplicationContextInitializer<GenericApplicationContext>)
                        initializer.getDeclaredConstructor().newInstance();
        init.initialize(context);
        context.refresh();
        return context;
    }

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/hello", (req, ex) -> ex.respond(200, "hello from " + req.uri()));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void theGeneratedContextStartsAndRestClientRunsOnAioduct(String kind) throws Exception {
        try (GenericApplicationContext context = start(initializer, "aioduct.runtime.kind=" + kind)) {

            HttpEngine engine = context.getBean(HttpEngine.class);
            assertThat(engine.runtime().name()).startsWith(kind);
            RestClient restClient = context.getBean(RestClient.Builder.class).build();
            assertThat(restClient.get().uri(server.uri("/hello")).retrieve().body(String.class))
                    .isEqualTo("hello from /hello");
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(AioductClientHttpRequestFactoryBuilder.class);
            // The request went through the engine: its connection is back in the engine's pool.
            assertThat(engine.poolStats()).anySatisfy(p -> assertThat(p.idle()).isEqualTo(1));
            assertThat(context.getBean(AioductGracefulShutdownLifecycle.class).isRunning())
                    .isTrue();
        }
    }

    @Test
    void aNamedClientConfiguredWhenAotRanIsABeanOfTheGeneratedContext() throws Exception {
        try (GenericApplicationContext context = start(namedInitializer, NAMED_CLIENT)) {
            AioductClient edge = context.getBean("edgeAioductClient", AioductClient.class);
            assertThat(edge).isSameAs(context.getBean(AioductClients.class).client("edge"));
            try (Response response = edge.get(server.uri("/hello")).execute()) {
                assertThat(response.body().string()).isEqualTo("hello from /hello");
            }
            assertThat(context.getBean(AioductClients.class)
                            .engine("edge")
                            .runtime()
                            .name())
                    .isEqualTo("virtual");
        }
    }

    @Test
    void theGeneratedCodeIsTheStartersBeansNotReflection() {
        assertThat(generated.getGeneratedFiles(Kind.SOURCE))
                .containsKey("io/aioduct/spring/autoconfigure/AioductAutoConfiguration__BeanDefinitions.java");
    }

    @Test
    void theRuntimeHintsCoverWhatIsLoadedByName() {
        assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
                .anyMatch(AioductRuntimeHints.class::isInstance);
        assertThat(RuntimeHintsPredicates.reflection().onType(Response.class)).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection()
                        .onType(AioductFailureAnalyzer.class)
                        .withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS))
                .accepts(hints);
        // On the test class path, as in an application with the io_uring transport.
        assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(EngineFactory.IO_URING_CLASS)))
                .accepts(hints);
        // Spring Boot's AOT: the properties bind by their setters in a native image.
        assertThat(RuntimeHintsPredicates.reflection()
                        .onMethodInvocation(AioductProperties.Pool.class, "setMaxConnectionsPerOrigin"))
                .accepts(hints);
    }

    private static Map<String, byte[]> compile(Map<String, ? extends InputStreamSource> sources) throws IOException {
        List<JavaFileObject> units = new ArrayList<>();
        for (Map.Entry<String, ? extends InputStreamSource> e : sources.entrySet()) {
            String text;
            try (InputStream in = e.getValue().getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey()), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return text;
                }
            });
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, null, null);
        JavaFileManager inMemory = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(
                    Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className + ".class"), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return classes.computeIfAbsent(className, n -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        boolean ok = compiler.getTask(
                        null,
                        inMemory,
                        diagnostics,
                        List.of("-classpath", System.getProperty("java.class.path"), "-proc:none"),
                        null,
                        units)
                .call();
        assertThat(ok)
                .as("generated sources compile: %s", diagnostics.getDiagnostics())
                .isTrue();
        Map<String, byte[]> bytes = new HashMap<>();
        classes.forEach((name, out) -> bytes.put(name, out.toByteArray()));
        return bytes;
    }

    /** Defines each class in the run-time package of the class it was generated for (its name's prefix). */
    private static void defineAll(Map<String, byte[]> compiled, Map<String, ? extends InputStreamSource> classFiles)
            throws Exception {
        Map<String, byte[]> all = new HashMap<>(compiled);
        for (Map.Entry<String, ? extends InputStreamSource> e : classFiles.entrySet()) {
            try (InputStream in = e.getValue().getInputStream()) {
                all.put(e.getKey().replace('/', '.').replaceAll("\\.class$", ""), in.readAllBytes());
            }
        }
        for (Map.Entry<String, byte[]> e : all.entrySet()) {
            Class<?> host = generatedFor(e.getKey());
            MethodHandles.privateLookupIn(host, MethodHandles.lookup()).defineClass(e.getValue());
        }
    }

    /**
     * The class {@code className} was generated for, or one in its package: {@code a.B__BeanDefinitions$C} and
     * {@code a.B$$SpringCGLIB$$0} for {@code a.B}, {@code a.B_C__BeanDefinitions} for the nested {@code a.B.C}
     * (here {@code a.B} will do).
     */
    private static Class<?> generatedFor(String className) throws ClassNotFoundException {
        int generatedPart = className.indexOf("__");
        int cglib = className.indexOf("$$");
        int end = generatedPart < 0 ? cglib : cglib < 0 ? generatedPart : Math.min(generatedPart, cglib);
        String name = end < 0 ? className : className.substring(0, end);
        int packageEnd = name.lastIndexOf('.');
        while (true) {
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                int nested = name.lastIndexOf('_');
                if (nested <= packageEnd) throw e;
                name = name.substring(0, nested);
            }
        }
    }
}
