// Outbound HTTP safety (docs/reference.md, "Outbound HTTP safety"): only http(s), and no address
// outside the public internet unless ALLOW_PRIVATE_HOSTS is "true". Which address is which is
// decided by ipaddr.js (a maintained library that carries the IANA special-purpose registries):
// an IPv4 address passes only when it is plain unicast, an IPv6 address only when it is plain
// unicast inside 2000::/3, the only block IANA allocates for global unicast. So loopback,
// private, link-local, shared (CGNAT), benchmarking, documentation, multicast, site-local and
// every IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are
// refused. The URL parser has already turned 2130706433, 0x7f.1 and friends into dotted quads.
//
// Host names cannot be resolved from a Worker (it has no DNS API), so a name that resolves to a
// private address is not caught here: Cloudflare's network refuses to connect a Worker's
// fetch to private and loopback addresses on its own.
import ipaddr from "ipaddr.js";

export const MAX_REDIRECTS = 5;
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"]);
/** Special-use names that stand for this machine or its network (RFC 6761, 6762, 8375; ICANN's .internal). */
const LOCAL_SUFFIXES = [".localhost", ".internal", ".local", ".home.arpa"];
/** IANA's global unicast allocation for IPv6; nothing outside it is on the public internet. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** ipaddr.js's name for an address's range: "unicast" for an ordinary public one. */
export function addressRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  const ip = ipaddr.parse(address);
  return ip.range();
}

/** Is an IP address (no brackets) anything but a public unicast address? */
export function isPrivateAddress(address: string): boolean {
  const ip = ipaddr.parse(address);
  if (ip.range() !== "unicast") return true;
  return ip.kind() === "ipv6" && !ip.match(GLOBAL_UNICAST_V6);
}

export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (host === "localhost" || METADATA_HOSTS.has(host) || LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return true;
  // A name that only looks like an address (999.1.1.1) is no address: the URL parser refuses it.
  if (ipaddr.isValid(host)) return isPrivateAddress(host);
  return false;
}

/** Why a URL is refused, or undefined when it is allowed. */
export function checkUrl(url: URL, allowPrivate: boolean): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:") return `The scheme ${url.protocol} is not allowed; http nodes call http(s) URLs only.`;
  if (!allowPrivate && isPrivateHost(url.hostname)) return `The host ${url.hostname} is not a public internet address (loopback, private, link-local, metadata or another special-purpose range) and is refused.`;
  return undefined;
}
