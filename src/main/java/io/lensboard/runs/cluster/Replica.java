package io.lensboard.runs.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Optional;

/** Who this process is in the cluster: its id (LENSBOARD_REPLICA_ID, else the host name and four random letters) and URL. */
public record Replica(String id, String url) {

    public static Replica of(Optional<String> id, Optional<String> url, int port) {
        String host = hostName();
        return new Replica(id.filter(s -> !s.isBlank()).orElseGet(() -> host + "-" + suffix()),
                url.filter(s -> !s.isBlank()).orElse("http://" + host + ":" + port));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "replica";
        }
    }

    private static String suffix() {
        SecureRandom random = new SecureRandom();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }
}
