package io.aihandler.demo.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The cluster's DNS for the Service names the demo registers, and only those: a client that checks
 * a certificate against the name it dialled (the sidecar's activation client calling the operator's
 * webhook Service) needs the name itself to reach this machine, not an address put in its place.
 * Every other name is resolved by the JDK's own resolver. Installed as the JVM's {@link
 * InetAddressResolverProvider} through {@code META-INF/services}.
 */
public final class ClusterDnsStandIn extends InetAddressResolverProvider {

  private static final Map<String, InetAddress> NAMES = new ConcurrentHashMap<>();

  /** Resolves {@code serviceName} (e.g. {@code webhook.ns.svc}) to {@code address} from now on. */
  public static void register(String serviceName, InetAddress address) {
    NAMES.put(serviceName.toLowerCase(Locale.ROOT), address);
  }

  @Override
  public InetAddressResolver get(Configuration configuration) {
    InetAddressResolver builtin = configuration.builtinResolver();
    return new InetAddressResolver() {
      @Override
      public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
          throws UnknownHostException {
        InetAddress registered = NAMES.get(host.toLowerCase(Locale.ROOT));
        if (registered != null) {
          return Stream.of(InetAddress.getByAddress(host, registered.getAddress()));
        }
        return builtin.lookupByName(host, policy);
      }

      @Override
      public String lookupByAddress(byte[] address) throws UnknownHostException {
        return builtin.lookupByAddress(address);
      }
    };
  }

  @Override
  public String name() {
    return "aihandler-demo-cluster-dns";
  }
}
