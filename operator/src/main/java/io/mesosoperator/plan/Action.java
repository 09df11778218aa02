package io.mesosoperator.plan;

import io.mesosoperator.render.AptSource;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import java.util.List;

/** One step of a node plan. Pure data; the node package turns it into shell. */
public sealed interface Action {

  /** One line for logs and golden files; never contains secrets. */
  String describe();

  /** How many changes this step makes on the node, for {@code NodeResult.changes}. */
  default int changes() {
    return 1;
  }

  /** Add the repository signing key and the source list file. */
  record AddAptSource(AptSource source, String path, String content) implements Action {
    @Override
    public String describe() {
      return "apt-source " + path + " key " + source.keyId() + " from " + source.keyServer();
    }
  }

  /** Refresh package lists. */
  record AptUpdate() implements Action {
    @Override
    public String describe() {
      return "apt-get update";
    }

    @Override
    public int changes() {
      return 0;
    }
  }

  /** Upgrade the OS once, then leave a marker so later passes skip it. */
  record Upgrade(String marker) implements Action {
    @Override
    public String describe() {
      return "upgrade (first pass; then mark " + marker + ")";
    }
  }

  /** Install the packages that are missing or at another version. */
  record InstallPackages(List<String> packages) implements Action {
    public InstallPackages {
      packages = List.copyOf(packages);
    }

    @Override
    public String describe() {
      return "install " + String.join(" ", packages);
    }

    @Override
    public int changes() {
      return packages.size();
    }
  }

  /** Create the admin user if needed and authorize its key. */
  record EnsureAdmin(PlanOptions.AdminAccount admin) implements Action {
    @Override
    public String describe() {
      return "admin user "
          + admin.user()
          + " home "
          + admin.home()
          + " authorize "
          + admin.keyMatch();
    }
  }

  /**
   * Write one managed file (or its block) atomically.
   *
   * @param file the desired file
   * @param restore the node had been converged to this same configuration and the file drifted
   * @param existed the file (or block) existed with other content
   */
  record WriteFile(ManagedFile file, boolean restore, boolean existed) implements Action {
    @Override
    public String describe() {
      String why = restore ? "restore" : existed ? "update" : "create";
      return "write "
          + file.path()
          + " "
          + file.kind().name().toLowerCase(java.util.Locale.ROOT)
          + " "
          + file.mode()
          + " "
          + file.owner()
          + " ("
          + why
          + ")";
    }
  }

  /**
   * Load the host firewall file with {@code nft -f}, one transaction, with the operator's session
   * address added to the operator set.
   *
   * @param path the nftables file
   * @param because what made the load necessary
   * @param drift the node had been converged to this configuration and its live table drifted
   */
  record LoadFirewall(String path, String because, boolean drift) implements Action {
    @Override
    public String describe() {
      return "load firewall " + path + " (" + because + ")";
    }
  }

  /** Stop a service the role must not run and keep it from starting at boot. */
  record DisableService(String name, InitStyle init) implements Action {
    @Override
    public String describe() {
      return switch (init) {
        case SYSTEMD -> "disable " + name + " (systemctl disable --now)";
        case SYSVINIT -> "disable " + name + " (update-rc.d disable, stop)";
        case UPSTART -> "disable " + name + " (stop; override file keeps it down)";
      };
    }
  }

  /** Restart a service whose inputs changed. */
  record RestartService(String name, InitStyle init, List<String> because) implements Action {
    public RestartService {
      because = List.copyOf(because);
    }

    @Override
    public String describe() {
      return "restart " + name + " (changed: " + String.join(", ", because) + ")";
    }
  }

  /** Start a service that is not running. */
  record StartService(String name, InitStyle init) implements Action {
    @Override
    public String describe() {
      return "start " + name;
    }
  }

  /** Make sshd read the hardened configuration. */
  record ReloadSsh(InitStyle init) implements Action {
    @Override
    public String describe() {
      return "reload ssh";
    }
  }

  /** Enable and start chrony. */
  record EnableClockSync(InitStyle init) implements Action {
    @Override
    public String describe() {
      return "enable clock sync (chrony)";
    }
  }

  /** Set the running hostname (the kernel's), as {@code /etc/hostname} only takes at boot. */
  record SetHostname(String name) implements Action {
    @Override
    public String describe() {
      return "set the running hostname to " + name;
    }
  }

  /**
   * Remember on the node the inputs a service runs with ({@link ConfigDigest#ofService}). Planned
   * right after the service's start or restart, so the record is written only once that succeeded;
   * alone, for a service that runs its inputs already but has no record.
   *
   * @param service the service
   * @param path the record file on the node
   * @param digest the digest of the service's inputs
   */
  record RecordStarted(String service, String path, String digest) implements Action {
    @Override
    public String describe() {
      return "record " + service + " started with " + digest;
    }

    @Override
    public int changes() {
      return 0;
    }
  }

  /** Remember on the node which configuration it was converged to. */
  record RecordDigest(String path, String digest) implements Action {
    @Override
    public String describe() {
      return "record " + digest + " in " + path;
    }

    @Override
    public int changes() {
      return 0;
    }
  }
}
