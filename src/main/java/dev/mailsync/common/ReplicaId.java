package dev.mailsync.common;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** A name for this process among the replicas: host name (the pod's name on Kubernetes) and a random suffix. */
public final class ReplicaId {

    private static final String ID = host() + "/" + UUID.randomUUID().toString().substring(0, 8);

    private ReplicaId() {
    }

    public static String get() {
        return ID;
    }

    private static String host() {
        String pod = System.getenv("HOSTNAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "replica";
        }
    }
}
