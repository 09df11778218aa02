package io.mesosoperator.render;

/**
 * The extra package repository of a node.
 *
 * @param path file under /etc/apt/sources.list.d
 * @param line the APT source line with the node's distro and codename filled in
 * @param keyId signing key id
 * @param keyServer key server to fetch it from
 */
public record AptSource(String path, String line, String keyId, String keyServer) {}
