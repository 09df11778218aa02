package io.mesosoperator.plan;

import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeFacts;
import java.util.Map;

/**
 * What one observation of a node reported: everything {@link NodePlan#diff} compares. Digests are
 * lower-case SHA-256 hex, or {@link #ABSENT}.
 *
 * @param facts distro, codename and init system
 * @param wholeDigests for each observed whole file, the digest of its content
 * @param blockDigests for each observed block file, the digest of the lines between the markers
 * @param packages installed version of each observed package; missing packages are absent here
 * @param services running/enabled state of each observed service
 * @param aptKeyPresent whether the repository signing key is known to apt
 * @param upgraded whether the first-pass upgrade marker exists
 * @param adminExists whether the admin user exists
 * @param adminKeyAuthorized whether the admin's key is in its authorized_keys
 * @param sshd effective sshd settings as far as {@code sshd -T} tells, per login asked about
 *     ({@code N.user}, {@code N.addr}, {@code N.<setting>} in lower case, or {@code N.error}); read
 *     by {@link SshdHardening}
 * @param clock clock state: synced, unsynced or unknown
 * @param appliedDigest the config digest recorded after the last complete apply, or empty
 * @param started for each service with a record, the digest of the inputs it was last started with
 *     ({@link ConfigDigest#ofService}); written on the node only after that start succeeded
 * @param runningHostname the kernel's hostname now (not {@code /etc/hostname}), or empty when not
 *     known
 * @param firewall the operator's SSH session as the node sees it and the live host firewall
 */
public record Observation(
    NodeFacts facts,
    Map<String, String> wholeDigests,
    Map<String, String> blockDigests,
    Map<String, String> packages,
    Map<String, ServiceState> services,
    boolean aptKeyPresent,
    boolean upgraded,
    boolean adminExists,
    boolean adminKeyAuthorized,
    Map<String, String> sshd,
    String clock,
    String appliedDigest,
    Map<String, String> started,
    String runningHostname,
    FirewallState firewall) {

  /** Digest value for a file (or block) that does not exist. */
  public static final String ABSENT = "absent";

  public Observation {
    wholeDigests = Map.copyOf(wholeDigests);
    blockDigests = Map.copyOf(blockDigests);
    packages = Map.copyOf(packages);
    services = Map.copyOf(services);
    sshd = Map.copyOf(sshd);
    started = Map.copyOf(started);
    appliedDigest = appliedDigest == null ? "" : appliedDigest;
    clock = clock == null ? "unknown" : clock;
    runningHostname = runningHostname == null ? "" : runningHostname;
    firewall = firewall == null ? FirewallState.UNKNOWN : firewall;
  }

  /** An observation without start records, running hostname or firewall. */
  public Observation(
      NodeFacts facts,
      Map<String, String> wholeDigests,
      Map<String, String> blockDigests,
      Map<String, String> packages,
      Map<String, ServiceState> services,
      boolean aptKeyPresent,
      boolean upgraded,
      boolean adminExists,
      boolean adminKeyAuthorized,
      Map<String, String> sshd,
      String clock,
      String appliedDigest) {
    this(
        facts,
        wholeDigests,
        blockDigests,
        packages,
        services,
        aptKeyPresent,
        upgraded,
        adminExists,
        adminKeyAuthorized,
        sshd,
        clock,
        appliedDigest,
        Map.of(),
        "",
        FirewallState.UNKNOWN);
  }

  /** An observation with start records only. */
  public Observation(
      NodeFacts facts,
      Map<String, String> wholeDigests,
      Map<String, String> blockDigests,
      Map<String, String> packages,
      Map<String, ServiceState> services,
      boolean aptKeyPresent,
      boolean upgraded,
      boolean adminExists,
      boolean adminKeyAuthorized,
      Map<String, String> sshd,
      String clock,
      String appliedDigest,
      Map<String, String> started) {
    this(
        facts,
        wholeDigests,
        blockDigests,
        packages,
        services,
        aptKeyPresent,
        upgraded,
        adminExists,
        adminKeyAuthorized,
        sshd,
        clock,
        appliedDigest,
        started,
        "",
        FirewallState.UNKNOWN);
  }

  /** An observation with start records and the running hostname, without the firewall. */
  public Observation(
      NodeFacts facts,
      Map<String, String> wholeDigests,
      Map<String, String> blockDigests,
      Map<String, String> packages,
      Map<String, ServiceState> services,
      boolean aptKeyPresent,
      boolean upgraded,
      boolean adminExists,
      boolean adminKeyAuthorized,
      Map<String, String> sshd,
      String clock,
      String appliedDigest,
      Map<String, String> started,
      String runningHostname) {
    this(
        facts,
        wholeDigests,
        blockDigests,
        packages,
        services,
        aptKeyPresent,
        upgraded,
        adminExists,
        adminKeyAuthorized,
        sshd,
        clock,
        appliedDigest,
        started,
        runningHostname,
        FirewallState.UNKNOWN);
  }

  /** An observation with the firewall only. */
  public Observation(
      NodeFacts facts,
      Map<String, String> wholeDigests,
      Map<String, String> blockDigests,
      Map<String, String> packages,
      Map<String, ServiceState> services,
      boolean aptKeyPresent,
      boolean upgraded,
      boolean adminExists,
      boolean adminKeyAuthorized,
      Map<String, String> sshd,
      String clock,
      String appliedDigest,
      FirewallState firewall) {
    this(
        facts,
        wholeDigests,
        blockDigests,
        packages,
        services,
        aptKeyPresent,
        upgraded,
        adminExists,
        adminKeyAuthorized,
        sshd,
        clock,
        appliedDigest,
        Map.of(),
        "",
        firewall);
  }

  /**
   * The operator's SSH session as the node sees it, and the operator's live nftables table.
   *
   * @param sessionSource the session's source address (from SSH_CONNECTION), or empty
   * @param sessionPort the node's local port of the session, or 0
   * @param liveDigest digest of {@code nft list table inet mesos_operator}, or {@link #ABSENT}
   * @param recordedDigest the live digest recorded right after the last load, or empty
   */
  public record FirewallState(
      String sessionSource, int sessionPort, String liveDigest, String recordedDigest) {
    public static final FirewallState UNKNOWN = new FirewallState("", 0, ABSENT, "");

    public FirewallState {
      sessionSource = sessionSource == null ? "" : sessionSource;
      liveDigest = liveDigest == null || liveDigest.isEmpty() ? ABSENT : liveDigest;
      recordedDigest = recordedDigest == null ? "" : recordedDigest;
    }

    /** Whether the loaded table is the one the operator loaded last. */
    public boolean loadedAsRecorded() {
      return !ABSENT.equals(liveDigest) && liveDigest.equals(recordedDigest);
    }
  }

  /** The observed digest of a managed file, {@link #ABSENT} when it was not there or not seen. */
  public String digestOf(ManagedFile file) {
    Map<String, String> digests =
        file.kind() == ManagedFile.Kind.WHOLE ? wholeDigests : blockDigests;
    return digests.getOrDefault(file.path(), ABSENT);
  }

  /** The digest of the inputs the service was last started with, or null without a record. */
  public String startedWith(String service) {
    return started.get(service);
  }

  /** The same observation with other start records. */
  public Observation withStarted(Map<String, String> records) {
    return new Observation(
        facts,
        wholeDigests,
        blockDigests,
        packages,
        services,
        aptKeyPresent,
        upgraded,
        adminExists,
        adminKeyAuthorized,
        sshd,
        clock,
        appliedDigest,
        records,
        runningHostname,
        firewall);
  }

  /** The observed state of a service; a service that was not seen is stopped and disabled. */
  public ServiceState service(String name) {
    return services.getOrDefault(name, ServiceState.STOPPED);
  }

  /**
   * Running and boot state of one service.
   *
   * @param running the service answers its status check
   * @param enabled the service starts at boot
   * @param installed the node has an init script or unit for it (its package is installed)
   */
  public record ServiceState(boolean running, boolean enabled, boolean installed) {
    public static final ServiceState STOPPED = new ServiceState(false, false);

    /** An installed service. */
    public ServiceState(boolean running, boolean enabled) {
      this(running, enabled, true);
    }
  }
}
