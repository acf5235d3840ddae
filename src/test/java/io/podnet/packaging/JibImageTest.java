package io.podnet.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The image the cluster tier runs is built by Jib (the {@code image} Maven profile), the one
 * users may build themselves by src/main/docker/Dockerfile.jvm: both must be the same agent,
 * laid out, run and started the same way, with the same helpers beside it.
 */
class JibImageTest {
    private static final Path BASE_SCRIPT = Path.of("tools", "image", "base");

    @Test
    void jibRunsTheDockerfilesEntryPointAsItsUserInItsFolder() throws Exception {
        Element jib = jibConfiguration();
        Element container = child(jib, "container");
        List<String> entrypoint = Arrays.asList(text(container, "entrypoint").split(","));
        assertThat(entrypoint).isEqualTo(jsonList(instruction("ENTRYPOINT")));
        assertThat(text(container, "user")).isEqualTo(instruction("USER"));
        assertThat(text(container, "workingDirectory")).isEqualTo(instruction("WORKDIR"));
        assertThat(text(child(container, "ports"), "port")).isEqualTo(instruction("EXPOSE"));
    }

    @Test
    void jibCopiesTheFastJarWhereTheDockerfileDoesAndNothingElse() throws Exception {
        Element path = child(child(child(jibConfiguration(), "extraDirectories"), "paths"), "path");
        assertThat(text(path, "from")).isEqualTo("${project.build.directory}/quarkus-app");
        String into = text(path, "into");
        // the Dockerfile copies lib/, quarkus-run.jar, app/ and quarkus/ of quarkus-app into /opt/podnet/
        for (DockerfilesTest.Instruction copy : DockerfilesTest.finalCopies(DockerfilesTest.JVM)) {
            List<String> words = DockerfilesTest.words(copy.args());
            String relative = words.get(1).substring("/build/target/quarkus-app/".length());
            String destination = words.get(2).endsWith("/") && !relative.endsWith("/") ? words.get(2) + relative : words.get(2);
            assertThat(destination).isEqualTo(into + "/" + relative);
        }
        assertThat(text(path, "excludes")).isEqualTo("quarkus-app-dependencies.txt");
        // Jib's own layout of classes and dependencies (/app) is dropped: the fast jar is the application
        List<String> globs = new ArrayList<>();
        NodeList filters = child(child(child(jibConfiguration(), "pluginExtensions"), "pluginExtension"), "configuration")
                .getElementsByTagName("filter");
        for (int i = 0; i < filters.getLength(); i++) {
            Element filter = (Element) filters.item(i);
            if (filter.getElementsByTagName("toLayer").getLength() == 0) {
                globs.add(text(filter, "glob"));
            }
        }
        assertThat(globs).containsExactly("/app/**");
    }

    @Test
    void jibNamesTheImageAsTheChartsDefaultsDo() throws Exception {
        Element profile = (Element) jibConfiguration().getParentNode().getParentNode().getParentNode().getParentNode();
        String image = text(child(profile, "properties"), "podnet.image");
        String values = Files.readString(Path.of("helm", "podnet", "values.yaml"));
        String chart = Files.readString(Path.of("helm", "podnet", "Chart.yaml"));
        java.util.regex.Matcher repository = java.util.regex.Pattern.compile("(?m)^  repository: (\\S+)$").matcher(values);
        java.util.regex.Matcher appVersion = java.util.regex.Pattern.compile("(?m)^appVersion: \"([^\"]+)\"$").matcher(chart);
        assertThat(repository.find() && appVersion.find()).isTrue();
        // so that `helm install podnet helm/podnet` runs the image -Pimage built, with no --set
        assertThat(image).isEqualTo(repository.group(1) + ":" + appVersion.group(1));
        assertThat(text(child(jibConfiguration(), "to"), "image")).isEqualTo("${podnet.image}");
    }

    @Test
    void theBaseShipsWhatTheDockerfileInstallsBesidesTheJvm() throws IOException {
        String script = Files.readString(BASE_SCRIPT);
        String packages = script.lines().filter(l -> l.startsWith("packages=(")).findFirst().orElseThrow();
        for (String pkg : List.of("libnftables1", "passt", "slirp4netns", "iproute2")) {
            assertThat(packages).as("tools/image/base packages").contains(pkg);
        }
        // and the agent's helpers by the names it runs them
        assertThat(script).contains("/usr/bin/passt", "\"$root/usr/bin/pasta\"", "/usr/bin/slirp4netns", "libnftables.so.1", "/usr/sbin/ip");
        assertThat(Files.isExecutable(BASE_SCRIPT)).isTrue();
    }

    private static String instruction(String keyword) throws IOException {
        return DockerfilesTest.parse(DockerfilesTest.JVM).stream().filter(i -> i.stage().equals("final") && i.keyword().equals(keyword))
                .map(DockerfilesTest.Instruction::args).reduce((a, b) -> b).orElseThrow();
    }

    private static List<String> jsonList(String json) {
        String inner = json.strip();
        assertThat(inner).startsWith("[").endsWith("]");
        return Arrays.stream(inner.substring(1, inner.length() - 1).split(",")).map(s -> s.strip().replaceAll("^\"|\"$", "")).toList();
    }

    private static Element jibConfiguration() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if (!"image".equals(text(profile, "id"))) {
                continue;
            }
            NodeList plugins = profile.getElementsByTagName("plugin");
            for (int j = 0; j < plugins.getLength(); j++) {
                Element plugin = (Element) plugins.item(j);
                if ("jib-maven-plugin".equals(text(plugin, "artifactId"))) {
                    return child(plugin, "configuration");
                }
            }
        }
        throw new AssertionError("pom.xml has no image profile with jib-maven-plugin");
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("<" + parent.getTagName() + "> has no <" + name + ">");
    }

    private static String text(Element parent, String name) {
        return child(parent, name).getTextContent().strip();
    }
}
