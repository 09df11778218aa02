package io.mesosoperator.render;

/**
 * What rendering needs to know about a node's image, learned by observing it.
 *
 * @param distro lower-case distribution id, for example {@code ubuntu}
 * @param codename release codename, for example {@code trusty}
 * @param init the init system
 */
public record NodeFacts(String distro, String codename, InitStyle init) {
  /** The tutorial's machines: Ubuntu 14.04 with Upstart. */
  public static final NodeFacts TUTORIAL = new NodeFacts("ubuntu", "trusty", InitStyle.UPSTART);
}
