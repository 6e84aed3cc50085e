package io.lensboard.model.checkpoint;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A loopback address whose TCP connects never complete: a listening socket with a backlog of 1 that never accepts,
 * its accept queue filled with held connections. Linux then drops new SYNs (no refusal), so a connect hangs until
 * the client's own timeout, as with a hub behind a firewall that drops packets.
 */
final class UnconnectableAddress implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> held = new ArrayList<>();

    private UnconnectableAddress() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    /** The address, once a connect to it was seen to hang; empty where the system refuses instead (not Linux). */
    static Optional<UnconnectableAddress> open() throws IOException {
        UnconnectableAddress a = new UnconnectableAddress();
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket();
            try {
                s.connect(a.socketAddress(), 300);
                a.held.add(s);
            } catch (SocketTimeoutException hung) {
                s.close();
                return Optional.of(a);
            } catch (IOException refused) {
                s.close();
                break;
            }
        }
        a.close();
        return Optional.empty();
    }

    private InetSocketAddress socketAddress() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        listener.close();
    }
}
