package io.podnet.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;

/**
 * native/ cannot be tried here (no native-image): this checks that each file is valid JSON in
 * the format native-image reads, that every class, method and field it names exists on the
 * classpath the image is built from, that every jnr-ffi binding in io.podnet.sys is registered,
 * that the resources it includes exist, and that the native profile packs it where native-image
 * looks. It also runs libc through jnr-ffi's reflection mode, the mode the image uses.
 */
class NativeImageConfigTest {
    static final Path NATIVE = Path.of("native");
    static final String SYS_PACKAGE = "io.podnet.sys";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFileIsValidJson() throws IOException {
        try (Stream<Path> files = Files.list(NATIVE)) {
            List<Path> json = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertThat(json).extracting(p -> p.getFileName().toString())
                    .containsExactly("jni-config.json", "proxy-config.json", "reflect-config.json", "resource-config.json");
            for (Path p : json) {
                // an empty file reads as a MissingNode, not null: each file must hold a non-empty array or object
                JsonNode tree = JSON.readTree(p.toFile());
                assertThat(tree.isContainerNode()).as(p + " is a JSON array or object").isTrue();
                assertThat(tree.size()).as(p + " has entries").isPositive();
            }
        }
    }

    @Test
    void everyReflectedClassMethodAndFieldExists() throws Exception {
        for (String file : List.of("reflect-config.json", "jni-config.json")) {
            JsonNode entries = JSON.readTree(NATIVE.resolve(file).toFile());
            assertThat(entries.isArray()).as(file).isTrue();
            Set<String> names = new TreeSet<>();
            for (JsonNode entry : entries) {
                String name = entry.get("name").asText();
                assertThat(names.add(name)).as("%s names %s twice", file, name).isTrue();
                Class<?> type = load(name, file);
                for (JsonNode field : iterable(entry.get("fields"))) {
                    assertThat(type.getDeclaredField(field.get("name").asText())).as("%s: %s.%s", file, name, field).isNotNull();
                }
                for (JsonNode method : iterable(entry.get("methods"))) {
                    String methodName = method.get("name").asText();
                    List<Class<?>> params = new ArrayList<>();
                    for (JsonNode p : iterable(method.get("parameterTypes"))) {
                        params.add(load(p.asText(), file));
                    }
                    Class<?>[] types = params.toArray(Class<?>[]::new);
                    Object found = methodName.equals("<init>") ? type.getDeclaredConstructor(types) : type.getDeclaredMethod(methodName, types);
                    assertThat(found).as("%s: %s.%s%s", file, name, methodName, params).isNotNull();
                }
                entry.fieldNames().forEachRemaining(k -> assertThat(k).as("%s: unknown key in %s", file, name).isIn(
                        "name", "fields", "methods", "allPublicMethods", "allDeclaredMethods", "queryAllPublicMethods",
                        "queryAllDeclaredMethods", "allPublicFields", "allDeclaredFields", "allPublicConstructors",
                        "allDeclaredConstructors"));
            }
        }
    }

    @Test
    void everyJnrBindingInTheSysPackageIsRegisteredForProxiesAndReflection() throws Exception {
        Set<String> proxied = new TreeSet<>();
        for (JsonNode entry : JSON.readTree(NATIVE.resolve("proxy-config.json").toFile())) {
            List<String> interfaces = new ArrayList<>();
            iterable(entry.get("interfaces")).forEach(i -> interfaces.add(i.asText()));
            assertThat(interfaces).as("proxy-config.json entry %s", entry).hasSize(1);
            Class<?> type = load(interfaces.get(0), "proxy-config.json");
            assertThat(type.isInterface()).as(type.getName()).isTrue();
            proxied.add(type.getName());
        }
        Set<String> reflected = new TreeSet<>();
        for (JsonNode entry : JSON.readTree(NATIVE.resolve("reflect-config.json").toFile())) {
            if (entry.path("allPublicMethods").asBoolean() && entry.path("queryAllPublicMethods").asBoolean()) {
                reflected.add(entry.get("name").asText());
            }
        }
        Set<String> bindings = sysInterfaces();
        assertThat(bindings).as("the jnr-ffi interfaces in %s", SYS_PACKAGE).contains("io.podnet.sys.LibC");
        assertThat(proxied).as("native/proxy-config.json must list every interface in %s (jnr-ffi binds each through a "
                + "java.lang.reflect.Proxy in a native image)", SYS_PACKAGE).containsAll(bindings);
        assertThat(reflected).as("native/reflect-config.json must register every interface in %s with allPublicMethods and "
                + "queryAllPublicMethods", SYS_PACKAGE).containsAll(bindings);
    }

    @Test
    void theJffiLibraryIsAnIncludedResource() throws IOException {
        JsonNode includes = JSON.readTree(NATIVE.resolve("resource-config.json").toFile()).at("/resources/includes");
        List<String> resources = new ArrayList<>();
        for (JsonNode include : includes) {
            String pattern = include.get("pattern").asText();
            Pattern literal = Pattern.compile("\\\\Q(.*)\\\\E");
            var m = literal.matcher(pattern);
            assertThat(m.matches()).as("a literal pattern: %s", pattern).isTrue();
            URL url = getClass().getClassLoader().getResource(m.group(1));
            assertThat(url).as("resource %s on the classpath", m.group(1)).isNotNull();
            resources.add(m.group(1));
        }
        assertThat(resources).contains("jni/x86_64-Linux/libjffi-1.2.so");
    }

    @Test
    void theFieldSelectorReachInIsRegistered() throws Exception {
        Field config = ControllerConfigurationOverrider.class.getDeclaredField("config");
        assertThat(config.getType()).isEqualTo(InformerConfiguration.Builder.class);
        assertThat(JSON.readTree(NATIVE.resolve("reflect-config.json").toFile()).findValuesAsText("name"))
                .contains(ControllerConfigurationOverrider.class.getName());
    }

    @Test
    void jnrIsToldToUseReflectionAtBuildAndRunTime() throws IOException {
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(NATIVE.resolve("native-image.properties"))) {
            props.load(in);
        }
        assertThat(props.getProperty("Args")).contains("-Djnr.ffi.asm.enabled=false");
        assertThat(Files.readString(DockerfilesTest.NATIVE)).contains("\"-Djnr.ffi.asm.enabled=false\"");
    }

    @Test
    void theNativeProfilePacksTheConfigurationWhereNativeImageLooks() throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element profile = null;
        NodeList profiles = doc.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element p = (Element) profiles.item(i);
            if ("native".equals(text(p, "id"))) {
                profile = p;
            }
        }
        assertThat(profile).as("a Maven profile with id native").isNotNull();
        assertThat(text((Element) profile.getElementsByTagName("properties").item(0), "quarkus.native.enabled")).isEqualTo("true");
        Map<String, String> resources = new java.util.LinkedHashMap<>();
        NodeList list = profile.getElementsByTagName("resource");
        for (int i = 0; i < list.getLength(); i++) {
            Element r = (Element) list.item(i);
            resources.put(text(r, "directory"), text(r, "targetPath"));
        }
        assertThat(resources).containsEntry("native", "META-INF/native-image/io.podnet/podnet")
                // the build's own resources stay
                .containsEntry("src/main/resources", null)
                .containsEntry("crds", "META-INF/podnet/crds");
    }

    @Test
    void libcWorksThroughJnrReflectionMode() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Djnr.ffi.asm.enabled=false", "-cp", System.getProperty("java.class.path"),
                ReflectionModeProbe.class.getName()).redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("libc bound by proxy");
    }

    private static Set<String> sysInterfaces() throws Exception {
        Path dir = Path.of("target", "classes").resolve(SYS_PACKAGE.replace('.', '/'));
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$")).toList()) {
                String name = SYS_PACKAGE + "." + f.getFileName().toString().replace(".class", "");
                if (Class.forName(name, false, NativeImageConfigTest.class.getClassLoader()).isInterface()) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    private static Class<?> load(String name, String file) {
        switch (name) {
            case "boolean": return boolean.class;
            case "byte": return byte.class;
            case "char": return char.class;
            case "short": return short.class;
            case "int": return int.class;
            case "long": return long.class;
            case "float": return float.class;
            case "double": return double.class;
            default:
                try {
                    return Class.forName(name, false, NativeImageConfigTest.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(file + " names " + name + ", which is not on the classpath", e);
                }
        }
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node == null ? List.of() : node;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }
}
