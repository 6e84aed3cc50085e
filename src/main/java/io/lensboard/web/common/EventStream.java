package io.lensboard.web.common;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.function.Consumer;

/**
 * One server-sent event stream, written from any thread. Endpoints return {@link #of}'s Multi rather than
 * writing to an injected SseEventSink: Quarkus REST writes a sink's response head after the resource method
 * returns, so events sent or a sink closed meanwhile from the device thread raced it ("Response head already
 * sent"). A Multi's body starts only once the head is out, and its emitter serialises sends from many threads.
 */
public final class EventStream {

    private final Sse sse;
    private final MultiEmitter<? super OutboundSseEvent> emitter;

    private EventStream(Sse sse, MultiEmitter<? super OutboundSseEvent> emitter) {
        this.sse = sse;
        this.emitter = emitter;
    }

    /** Events a slow viewer may have waiting; past them the stream fails and its connection closes. */
    static final int BUFFER = 10_000;

    /**
     * A stream whose body runs when the viewer subscribes; events wait while the connection is slow, up to
     * {@link #BUFFER} of them (a viewer that does not read must not make the server hold an unbounded queue).
     */
    public static Multi<OutboundSseEvent> of(Sse sse, Consumer<EventStream> body) {
        return Multi.createFrom().emitter(emitter -> body.accept(new EventStream(sse, emitter)), BUFFER);
    }

    public boolean isClosed() {
        return emitter.isCancelled();
    }

    public void send(String name, String data) {
        send(sse.newEventBuilder().name(name).data(data).build());
    }

    public void sendJson(String name, String json) {
        send(sse.newEventBuilder().name(name).mediaType(MediaType.APPLICATION_JSON_TYPE).data(json).build());
    }

    public void sendJson(long id, String name, String json) {
        send(sse.newEventBuilder().id(String.valueOf(id)).name(name).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(json).build());
    }

    private void send(OutboundSseEvent event) {
        if (!isClosed()) {
            emitter.emit(event);
        }
    }

    public void close() {
        emitter.complete();
    }
}
