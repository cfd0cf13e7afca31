import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

// Outbound calls to Echo must not be turned against our own network: loopback,
// private, link-local (cloud metadata at 169.254.169.254) and similar ranges are
// refused after DNS resolution, unless the exact host:port is allowed by the
// operator (INTEGRATION_ALLOWED_HOSTS).
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["fd00:ec2::", 32],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(address, "ipv6");
  }
  return true;
}

export class OutboundRefused extends Error {
  constructor(
    message: string,
    readonly reason: "scheme" | "forbidden_address" | "unresolvable" | "invalid_url",
  ) {
    super(message);
  }
}

export function hostKey(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname.replace(/^\[|\]$/g, "").toLowerCase()}:${port}`;
}

export function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  const key = hostKey(url);
  return allowedHosts.some((h) => h === key || (h.startsWith("[") && h.replace(/^\[|\](?=:)/g, "") === key));
}

// Checks a URL before any request leaves: scheme, then every address its host resolves to.
export async function checkOutboundUrl(raw: string, allowedHosts: readonly string[]): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused(`"${raw}" is not a URL`, "invalid_url");
  }
  const allowed = isAllowedHost(url, allowedHosts);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowed)) {
    throw new OutboundRefused(
      `${url.host} must be reached over https (or be listed in INTEGRATION_ALLOWED_HOSTS)`,
      "scheme",
    );
  }
  if (allowed) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new OutboundRefused(`cannot resolve host ${host}`, "unresolvable");
    }
  }
  const bad = addresses.find(isForbiddenAddress);
  if (bad) {
    throw new OutboundRefused(
      `${host} resolves to ${bad}, a loopback, private, link-local or metadata address; list ${hostKey(url)} in INTEGRATION_ALLOWED_HOSTS to allow it`,
      "forbidden_address",
    );
  }
  return url;
}
