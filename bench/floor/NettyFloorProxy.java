import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The floor of a proxy on an event-loop stack: Netty's HTTP/1.1 server and client on the same JVM
 * flags as the sidecar, passing chat completions through and doing nothing else, as {@code
 * FloorProxy} does on Helidon's stack. bench/compare.sh runs it as the variant {@code
 * netty-floor}, so the two stacks' own costs are measured side by side with the sidecar and nginx.
 *
 * <p>Each client connection gets one upstream connection on its own event loop, opened on its first
 * request and kept alive; a request is relayed when the previous answer has ended (wrk sends one at
 * a time). The answer's head and body pieces are written as they arrive and flushed when the
 * upstream socket has nothing more ready, so a stream's events go out as the upstream sent them.
 */
public final class NettyFloorProxy {

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
    URI json = URI.create(c.path("backends").path(0).path("baseUrl").asText());
    URI sse = URI.create(c.path("backends").path(2).path("baseUrl").asText());
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup loops =
        new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    Class<? extends ServerSocketChannel> serverChannel =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    Class<? extends SocketChannel> clientChannel =
        epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    Upstream upstream = new Upstream(json, sse, clientChannel);
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
                    .addLast(new Front(upstream));
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.err.println("netty floor proxy on port " + port + (epoll ? " (epoll)" : " (nio)"));
  }

  /** Where requests go: the JSON backend, or the stream backend for {@code "stream":true}. */
  private record Upstream(URI json, URI sse, Class<? extends SocketChannel> channel) {
    String path(boolean stream) {
      return (stream ? sse : json).getPath() + "/chat/completions";
    }
  }

  /** A client connection: relays each request over its own upstream connection. */
  private static final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Upstream upstream;
    private Channel back;

    Front(Upstream upstream) {
      this.upstream = upstream;
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
      ByteBuf body = req.content();
      boolean stream = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(STREAM_FLAG), body) >= 0;
      DefaultFullHttpRequest out =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.POST, upstream.path(stream), body.retain());
      out.headers()
          .set(HttpHeaderNames.HOST, upstream.json().getAuthority())
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      if (back != null && back.isActive()) {
        back.writeAndFlush(out);
        return;
      }
      new Bootstrap()
          .group(ctx.channel().eventLoop())
          .channel(upstream.channel())
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  ch.pipeline().addLast(new HttpClientCodec()).addLast(new Back(ctx.channel()));
                }
              })
          .connect(upstream.json().getHost(), upstream.json().getPort())
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (!f.isSuccess()) {
                      out.release();
                      ctx.close();
                      return;
                    }
                    back = f.channel();
                    back.writeAndFlush(out);
                  });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (back != null) {
        back.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** An upstream connection: writes the answer's pieces to its client as they arrive. */
  private static final class Back extends ChannelInboundHandlerAdapter {
    private final Channel front;

    Back(Channel front) {
      this.front = front;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpResponse head) {
        DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status());
        out.headers().set(HttpHeaderNames.CONTENT_TYPE, head.headers().get(HttpHeaderNames.CONTENT_TYPE));
        String length = head.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null) {
          out.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
          out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        front.write(out);
      }
      if (msg instanceof HttpContent piece) {
        // The piece's buffer passes to the client's connection, which releases it once written.
        front.write(piece);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      front.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      front.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
