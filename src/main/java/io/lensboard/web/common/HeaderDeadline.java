package io.lensboard.web.common;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's deadline for each request's headers (issue 26 item 2): armed by the request's first byte, it
 * answers 408 and closes the connection unless the blank line that ends the headers has arrived by then. Vert.x's
 * idle timeout restarts at every byte, so a client trickling its headers would hold the connection for as long as it
 * likes. Between the headers and the end of the answer it waits (a body has {@code quarkus.http.read-timeout}, an
 * SSE stream is long), and {@link #nextRequest()} makes it wait for the next request's first byte. Runs on the
 * connection's event loop (Netty calls it there, and {@link HeaderDeadlines} calls {@code nextRequest} there).
 */
final class HeaderDeadline extends ChannelInboundHandlerAdapter {
    static final String NAME = "lensboard-header-deadline";

    private final Duration deadline;
    /** Where it sits past a TLS handler, and so sees the request's bytes, not the handshake's. */
    private final boolean decrypted;
    private ScheduledFuture<?> timer;
    /** The next bytes begin a request's headers (false from their end until the answer's). */
    private boolean expecting = true;
    /** A byte other than CR or LF has come (leading empty lines are no request yet). */
    private boolean started;
    /** A LF has come, and since then at most CRs: a second LF ends the headers. */
    private boolean afterLineFeed;

    HeaderDeadline(Duration deadline, boolean decrypted) {
        this.deadline = deadline;
        this.decrypted = decrypted;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        SslHandler tls = decrypted ? null : ctx.pipeline().get(SslHandler.class);
        if (tls != null) { // TLS came after this handler was placed: go after it, where the request is readable
            ctx.pipeline().addAfter(ctx.pipeline().context(tls).name(), NAME + "-tls", new HeaderDeadline(deadline, true));
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        if (expecting && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            if (timer == null) {
                timer = ctx.executor().schedule(() -> refuse(ctx), deadline.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (headersEnd(bytes)) {
                timer.cancel(false);
                timer = null;
                expecting = false;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The connection's last answer has ended: its next bytes are a new request, due whole within the deadline. (A
     * request a client pipelined before then is not timed; the bytes after the answer are, from a fresh start.)
     */
    void nextRequest() {
        expecting = true;
        started = false;
        afterLineFeed = false;
    }

    /** Whether these bytes, after those seen before, end the headers (CRLF CRLF, or bare LFs, as Netty accepts). */
    private boolean headersEnd(ByteBuf bytes) {
        for (int i = bytes.readerIndex(); i < bytes.writerIndex(); i++) {
            byte b = bytes.getByte(i);
            if (b == '\n') {
                if (started && afterLineFeed) {
                    return true;
                }
                afterLineFeed = true;
            } else if (b != '\r') {
                started = true;
                afterLineFeed = false;
            }
        }
        return false;
    }

    private void refuse(ChannelHandlerContext ctx) {
        String body = "{\"status\":408,\"error\":\"the request's headers did not arrive whole within " + deadline.toMillis() / 1000.0
                + " s of its first byte (lensboard.http.header-deadline, env LENSBOARD_HEADER_DEADLINE): send them at once\"}";
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: " + json.length
                + "\r\nConnection: close\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), json))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
