package io.aihandler.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading multi-document YAML manifests and finding files of the repository from a module. */
public final class Manifests {

  private static final YAMLFactory YAML = new YAMLFactory();
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Manifests() {}

  /** Every non-empty document of a YAML file, in order. */
  public static List<JsonNode> read(Path file) {
    try (var parser = YAML.createParser(file.toFile())) {
      List<JsonNode> documents = new ArrayList<>();
      var iterator = MAPPER.readValues(parser, JsonNode.class);
      while (iterator.hasNext()) {
        JsonNode document = iterator.next();
        if (document != null && !document.isNull() && !document.isEmpty()) {
          documents.add(document);
        }
      }
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Parses one YAML document. */
  public static JsonNode parse(String yaml) {
    try {
      return MAPPER.readTree(YAML.createParser(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository root: the nearest ancestor of the working directory holding {@code mvnw}. */
  public static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("crds"))) {
        return dir;
      }
    }
    throw new IllegalStateException("not inside the AI Handler repository");
  }

  /** The CRD admission of a kind, from the YAML the build generated. */
  public static CrdAdmission admissionFor(String plural) {
    return CrdAdmission.load(generatedCrd(plural));
  }

  /** The generated CRD file of a kind, e.g. {@code modelbackends}. */
  public static Path generatedCrd(String plural) {
    Path generated =
        repositoryRoot()
            .resolve("crds/target/classes/META-INF/fabric8/" + plural + ".aihandler.io-v1.yml");
    return Optional.of(generated)
        .filter(Files::exists)
        .orElseGet(
            () -> repositoryRoot().resolve("crds/manifests/" + plural + ".aihandler.io-v1.yml"));
  }
}
