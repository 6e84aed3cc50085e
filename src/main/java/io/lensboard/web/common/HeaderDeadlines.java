package io.lensboard.web.common;

import io.lensboard.LensboardConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Puts a {@link HeaderDeadline} on every connection the HTTP server accepts, and tells it when each answer has ended.
 * Neither Vert.x 4.5 nor Quarkus has a deadline for a request's headers or a hook on a connection before its first
 * request (the one connection handler is Quarkus's own, for max-connections), so this reaches the listening Netty
 * channel, through Vert.x's registry of its servers and one private field, and adds a handler in front of the one
 * that hands accepted connections over. If a Vert.x upgrade moves that field, start-up logs an error saying so and
 * {@code HeaderDeadlineTest} fails.
 */
@ApplicationScoped
public class HeaderDeadlines {
    private static final Logger LOG = Logger.getLogger(HeaderDeadlines.class);
    private static final String ACCEPT = "lensboard-header-deadline-accept";
    /** The name Vert.x gives its HTTP/1 request decoder in a connection's pipeline. */
    private static final String HTTP1_DECODER = "httpDecoder";

    @Inject
    Vertx vertx;

    @Inject
    LensboardConfig config;

    /** Quarkus fires HttpServerStart asynchronously, once the server listens. */
    void install(@ObservesAsync HttpServerStart started) {
        Duration deadline = config.http().headerDeadline();
        int installed = 0;
        int listening = 0;
        try {
            Field bound = TCPServerBase.class.getDeclaredField("bindFuture");
            bound.setAccessible(true);
            for (TCPServerBase server : ((VertxInternal) vertx).sharedHttpServers().values()) {
                @SuppressWarnings("unchecked")
                Future<Channel> bind = (Future<Channel>) bound.get(server);
                Channel channel = bind == null ? null : bind.result();
                if (channel == null) {
                    continue;
                }
                listening++;
                if (channel.pipeline().get(ACCEPT) == null) {
                    channel.pipeline().addFirst(ACCEPT, new OnAccept(deadline));
                    installed++;
                }
            }
            if (listening == 0) { // the registry moved or holds the servers otherwise: say so, as for a moved field
                LOG.errorf("no deadline for requests' headers (lensboard.http.header-deadline): no listening HTTP server "
                        + "was found in this Vert.x version's registry; slow clients are bounded by the idle timeout and "
                        + "the connection cap only");
            } else if (installed > 0) {
                LOG.debugf("a %s deadline for requests' headers on %d listening sockets", deadline, installed);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.errorf("no deadline for requests' headers (lensboard.http.header-deadline): this Vert.x version's server "
                    + "cannot be reached (%s); slow clients are bounded by the idle timeout and the connection cap only", e);
        }
    }

    /** Before every other route: when an HTTP/1 answer ends, the connection's next bytes are timed as a new request. */
    void everyAnswer(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            if (rc.request().version() != HttpVersion.HTTP_2 && rc.request().connection() instanceof ConnectionBase connection) {
                Channel channel = connection.channel();
                rc.addEndHandler(ended -> channel.eventLoop().execute(() -> {
                    HeaderDeadline deadline = channel.pipeline().get(HeaderDeadline.class);
                    if (deadline != null && channel.pipeline().get(HTTP1_DECODER) != null) { // not upgraded to h2c since
                        deadline.nextRequest();
                    }
                }));
            }
            rc.next();
        });
    }

    /** On the listening channel: every accepted connection starts with a deadline, before Vert.x's handlers. */
    @ChannelHandler.Sharable
    private static final class OnAccept extends ChannelInboundHandlerAdapter {
        private final Duration deadline;

        OnAccept(Duration deadline) {
            this.deadline = deadline;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel accepted) {
                accepted.pipeline().addFirst(HeaderDeadline.NAME, new HeaderDeadline(deadline, false));
            }
            ctx.fireChannelRead(msg);
        }
    }
}
