package dev.deltatok.job;

import org.apache.flink.configuration.Configuration;

/**
 * The Flink settings of the MiniCluster that {@code deltatok run}, {@code demo} and {@code bench}
 * embed: the job's own settings plus addresses that keep every server socket of the cluster on
 * loopback unless the REST endpoint (web UI) is explicitly exposed.
 *
 * <p>A MiniCluster left to its defaults listens on all interfaces: the REST endpoint (which can
 * submit and cancel jobs, unauthenticated) and the blob server. Nothing outside the process needs
 * the blob server or RPC of an embedded cluster, so they stay on loopback whatever the REST
 * address.
 */
public final class EmbeddedCluster {
    private EmbeddedCluster() {}

    /** Where the embedded cluster listens unless told otherwise. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * @param restBindAddress the address the REST endpoint and web UI bind to: {@link #LOOPBACK} by
     *     default, {@code 0.0.0.0} to expose them on every interface
     * @throws IllegalArgumentException when the address is blank
     */
    public static Configuration configuration(TokenizerConfig config, String restBindAddress) {
        if (restBindAddress == null || restBindAddress.isBlank()) {
            throw new IllegalArgumentException(
                    "the REST bind address must be an IP address or host name, e.g. "
                            + LOOPBACK
                            + " or 0.0.0.0");
        }
        Configuration conf = config.flinkConfiguration();
        conf.setString("rest.bind-address", restBindAddress);
        conf.setString("rest.address", LOOPBACK);
        // blob server and RPC (the blob server reads jobmanager.bind-host)
        conf.setString("jobmanager.bind-host", LOOPBACK);
        conf.setString("jobmanager.rpc.address", LOOPBACK);
        conf.setString("taskmanager.bind-host", LOOPBACK);
        conf.setString("taskmanager.host", LOOPBACK);
        return conf;
    }

    /** {@link #configuration(TokenizerConfig, String)} with everything on loopback. */
    public static Configuration configuration(TokenizerConfig config) {
        return configuration(config, LOOPBACK);
    }
}
