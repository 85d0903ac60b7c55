import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.InputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The floor of the cheapest step away from Helidon's server that keeps the router's blocking code:
 * Netty's HTTP/1.1 server on its event loops, each request handed to a virtual thread that calls
 * upstream with Helidon's blocking client (as the sidecar's {@code UpstreamClient} does) and writes
 * the answer back through the event loop. bench/compare.sh runs it as the variant {@code
 * netty-vt-floor}, beside {@code floor} (Helidon on both sides) and {@code netty-floor} (Netty on
 * both sides, no thread hand-off).
 */
public final class NettyVirtualThreadFloorProxy {

  private static final byte[] STREAM_FLAG = "\"stream\":true".getBytes(StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    Path config = null;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--config")) {
        config = Path.of(args[i + 1]);
      }
    }
    JsonNode c = new ObjectMapper(new YAMLFactory()).readTree(config.toFile());
    int port = c.path("sidecar").path("port").asInt();
    SocketOptions noDelay = SocketOptions.builder().tcpNoDelay(true).build();
    Http1Client json =
        Http1Client.builder()
            .baseUri(c.path("backends").path(0).path("baseUrl").asText())
            .socketOptions(noDelay)
            .build();
    Http1Client sse =
        Http1Client.builder()
            .baseUri(c.path("backends").path(2).path("baseUrl").asText())
            .socketOptions(noDelay)
            .build();
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup loops =
        new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    Class<? extends ServerSocketChannel> serverChannel =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    new ServerBootstrap()
        .group(loops)
        .channel(serverChannel)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(1 << 20))
                    .addLast(new Front(handlers, json, sse));
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.err.println("netty + virtual threads floor proxy on port " + port);
  }

  /** A client connection: each request on a virtual thread of its own. */
  private static final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ExecutorService handlers;
    private final Http1Client json;
    private final Http1Client sse;

    Front(ExecutorService handlers, Http1Client json, Http1Client sse) {
      this.handlers = handlers;
      this.json = json;
      this.sse = sse;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      if (req.method() == HttpMethod.GET) {
        ByteBuf body = Unpooled.copiedBuffer("ready", StandardCharsets.US_ASCII);
        DefaultFullHttpResponse ok =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        ctx.writeAndFlush(ok);
        return;
      }
      byte[] body = ByteBufUtil.getBytes(req.content());
      boolean stream = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(STREAM_FLAG), req.content()) >= 0;
      Channel ch = ctx.channel();
      handlers.execute(() -> relay(ch, body, stream));
    }

    private void relay(Channel ch, byte[] body, boolean stream) {
      Http1Client client = stream ? sse : json;
      try (HttpClientResponse up =
          client
              .post("/chat/completions")
              .header(HeaderNames.CONTENT_TYPE, "application/json")
              .submit(body)) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(up.status().code());
        String type = stream ? "text/event-stream" : "application/json";
        if (!stream) {
          byte[] answer = up.entity().as(byte[].class);
          DefaultFullHttpResponse out =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(answer));
          out.headers()
              .set(HttpHeaderNames.CONTENT_TYPE, type)
              .set(HttpHeaderNames.CONTENT_LENGTH, answer.length);
          ch.writeAndFlush(out);
          return;
        }
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        head.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, type)
            .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ch.write(head);
        try (InputStream in = up.inputStream()) {
          byte[] buf = new byte[8192];
          for (int n; (n = in.read(buf)) > 0; ) {
            ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n)));
          }
        }
        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      } catch (Exception e) {
        ch.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
