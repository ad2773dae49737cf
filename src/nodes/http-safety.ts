// Outbound HTTP safety (docs/reference.md, Outbound HTTP safety): only http(s), and no loopback, private, link-local or
// metadata addresses unless ALLOW_PRIVATE_HOSTS is "true". Hostnames that resolve to such
// addresses cannot be checked from a Worker (no DNS API); Cloudflare's network refuses them.

export const MAX_REDIRECTS = 5;
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"]);

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

export function isPrivateIPv4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return false;
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost") || METADATA_HOSTS.has(host) || host.endsWith(".internal")) return true;
  const v4 = ipv4(host);
  if (v4) return isPrivateIPv4(v4);
  if (host.includes(":")) {
    if (host === "::" || host === "::1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (mapped) return isPrivateIPv4(ipv4(mapped[1]!) ?? []);
    if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(host)) return true;
    return /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}

/** Why a URL is refused, or undefined when it is allowed. */
export function checkUrl(url: URL, allowPrivate: boolean): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:") return `The scheme ${url.protocol} is not allowed; http nodes call http(s) URLs only.`;
  if (!allowPrivate && isPrivateHost(url.hostname)) return `The host ${url.hostname} is a loopback, private, link-local or metadata address and is refused.`;
  return undefined;
}
