package io.aihandler.demo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the pod's file system and the cluster's DNS would give the sidecar, on one machine. The
 * router document the operator renders names absolute paths inside the pod ({@code
 * /etc/aihandler/...}) and in-cluster Service names ({@code http://llama.ns.svc:8000/v1}); this
 * class maps both, explicitly and nowhere else, to the directory the {@link LocalKubelet} mounted
 * the volumes into and to the local stand-ins' addresses. Everything else in the document is used
 * exactly as rendered.
 */
public final class ClusterNetworkStandIn {

  private static final YAMLMapper YAML =
      YAMLMapper.builder(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
          .build();

  private final Path podRoot;
  private final Map<String, String> services = new LinkedHashMap<>();

  /**
   * @param podRoot the local directory that plays the pod's file system root
   */
  public ClusterNetworkStandIn(Path podRoot) {
    this.podRoot = podRoot;
  }

  /**
   * Resolves a Service's cluster DNS name to a local address, as DNS and kube-proxy would.
   *
   * @param serviceHostAndPort e.g. {@code llama.llm-platform.svc:8000}
   * @param localHostAndPort e.g. {@code 127.0.0.2:8000}
   */
  public ClusterNetworkStandIn resolve(String serviceHostAndPort, String localHostAndPort) {
    services.put(serviceHostAndPort, localHostAndPort);
    return this;
  }

  /** A path inside the pod, as seen from this machine. */
  public Path inPod(String absolutePath) {
    return podRoot.resolve(absolutePath.replaceFirst("^/+", ""));
  }

  /** The router document with its pod paths and Service names mapped, and what was mapped. */
  public record Localized(String yaml, List<String> mappings) {}

  /**
   * The operator's activation endpoint: its Service name stays in the URL (the sidecar checks the
   * operator's certificate against it), resolved by {@link ClusterDnsStandIn} to the local address
   * and with the Service port replaced by the local one, as kube-proxy forwards 443 to the pod's
   * port; the projected token's path points into the pod's mounted volumes.
   */
  private void localizeActivation(ObjectNode sidecar, List<String> mappings) {
    if (!sidecar.path("activation").isObject()) {
      return;
    }
    ObjectNode activation = (ObjectNode) sidecar.get("activation");
    String url = activation.path("url").asText(null);
    if (url != null) {
      URI uri = URI.create(url);
      String host = uri.getHost();
      int port = uri.getPort() > 0 ? uri.getPort() : 443;
      String local = services.get(host + ":" + port);
      if (local == null) {
        throw new IllegalStateException(
            "sidecar.activation calls Service "
                + host
                + ":"
                + port
                + ", which has no local stand-in");
      }
      URI target = URI.create("http://" + local);
      try {
        ClusterDnsStandIn.register(host, java.net.InetAddress.getByName(target.getHost()));
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException("not an address: " + target.getHost(), e);
      }
      String mapped = "https://" + host + ":" + target.getPort() + uri.getRawPath();
      activation.put("url", mapped);
      mappings.add(
          "sidecar.activation.url "
              + url
              + " -> "
              + mapped
              + " ("
              + host
              + " resolved to "
              + target.getHost()
              + ", cluster DNS)");
    }
    String tokenPath = activation.path("tokenPath").asText(null);
    if (tokenPath != null && tokenPath.startsWith("/")) {
      Path local = inPod(tokenPath);
      activation.put("tokenPath", local.toString());
      mappings.add(
          "sidecar.activation.tokenPath "
              + tokenPath
              + " -> <pod>/"
              + podRoot.relativize(local)
              + " (projected token)");
    }
  }

  /** Maps a rendered router document onto this machine. */
  public Localized localize(String routerYaml) {
    List<String> mappings = new ArrayList<>();
    JsonNode document;
    try {
      document = YAML.readTree(routerYaml);
    } catch (IOException e) {
      throw new IllegalStateException(
          "the rendered router document is not YAML: " + e.getMessage(), e);
    }
    ObjectNode sidecar =
        document.path("sidecar").isObject()
            ? (ObjectNode) document.get("sidecar")
            : ((ObjectNode) document).putObject("sidecar");
    // In a pod the management listener is on the pod IP; here the pod IP is this machine's
    // loopback.
    String managementHost = sidecar.path("managementHost").asText("0.0.0.0");
    if (!managementHost.equals("127.0.0.1")) {
      sidecar.put("managementHost", "127.0.0.1");
      mappings.add("sidecar.managementHost " + managementHost + " -> 127.0.0.1 (pod IP)");
    }
    localizeActivation(sidecar, mappings);
    for (JsonNode node : document.path("backends")) {
      ObjectNode backend = (ObjectNode) node;
      String name = backend.path("name").asText();
      String baseUrl = backend.path("baseUrl").asText(null);
      if (baseUrl != null) {
        URI uri = URI.create(baseUrl);
        String host = uri.getHost();
        if (host != null && (host.endsWith(".svc") || host.endsWith(".svc.cluster.local"))) {
          int port = uri.getPort() > 0 ? uri.getPort() : 80;
          String service = host.replaceFirst("\\.cluster\\.local$", "") + ":" + port;
          String local = services.get(service);
          if (local == null) {
            throw new IllegalStateException(
                "backend " + name + " calls Service " + service + ", which has no local stand-in");
          }
          String mapped = "http://" + local + (uri.getRawPath() == null ? "" : uri.getRawPath());
          backend.put("baseUrl", mapped);
          mappings.add(
              "backends[" + name + "].baseUrl " + baseUrl + " -> " + mapped + " (cluster DNS)");
        }
      }
      JsonNode file = backend.at("/credentials/file");
      if (file.isTextual() && file.asText().startsWith("/")) {
        Path local = inPod(file.asText());
        ((ObjectNode) backend.get("credentials")).put("file", local.toString());
        mappings.add(
            "backends["
                + name
                + "].credentials.file "
                + file.asText()
                + " -> <pod>/"
                + podRoot.relativize(local)
                + " (Secret mount)");
      }
    }
    try {
      return new Localized(YAML.writeValueAsString(document), List.copyOf(mappings));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
