import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

// Outbound calls to Echo must not be turned against our own network: loopback,
// private, link-local (cloud metadata at 169.254.169.254) and similar ranges are
// refused after DNS resolution, unless the exact host:port is allowed by the
// operator (INTEGRATION_ALLOWED_HOSTS). IPv6 addresses that carry an IPv4 address
// (IPv4-mapped, NAT64, 6to4, Teredo, IPv4-compatible) are judged by that IPv4
// address or refused outright (see below): they must not be a way around the IPv4 ranges.
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
  // Unspecified (::), loopback (::1) and the deprecated IPv4-compatible addresses
  // (::a.b.c.d, RFC 4291 2.5.5.1), which some stacks still send to the IPv4 address
  // over an automatic tunnel (::7f00:1 would be 127.0.0.1).
  ["::", 96],
  // IPv4-translated addresses (::ffff:0:a.b.c.d, RFC 2765 SIIT, dropped by RFC 6145).
  ["::ffff:0:0:0", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["fd00:ec2::", 32],
  // IPv6 that a gateway or tunnel carries on to an IPv4 address, where the address
  // alone does not tell which IPv4 host is reached, or is not the only one involved.
  // No Echo deployment is reached through these; an operator who needs one lists
  // the exact host:port in INTEGRATION_ALLOWED_HOSTS.
  // - 6to4 (2002:V4ADDR::/48, RFC 3056; deprecated by RFC 7526): a host with a 6to4
  //   interface encapsulates straight to the embedded IPv4, private or not.
  ["2002::", 16],
  // - Teredo (2001:0:SERVER:FLAGS:PORT:CLIENT, RFC 4380): UDP-tunnelled to the
  //   (obfuscated) client IPv4 via a server IPv4, two addresses of which neither is
  //   the destination as such.
  ["2001::", 32],
  // - Local-use NAT64 (64:ff9b:1::/48, RFC 8215): the operator picks the prefix
  //   length (/48 to /96), and RFC 6052 puts the IPv4 address at a different place
  //   for each, so the embedded address cannot be read from the address alone.
  ["64:ff9b:1::", 48],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

// The eight 16-bit groups of an IPv6 address that isIP accepts (zone removed),
// a trailing dotted IPv4 part included.
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const [head, tail] = text.split("::");
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

// The IPv4 address an IPv6 address stands for, where a packet to it reaches exactly
// that IPv4 host: IPv4-mapped ::ffff:a.b.c.d (RFC 4291), which sockets connect over
// IPv4, and the well-known NAT64 prefix 64:ff9b::/96 (RFC 6052), which a NAT64
// gateway translates to the IPv4 address in its last 32 bits. A DNS64 resolver
// hands out 64:ff9b::a.b.c.d for IPv4-only hosts on IPv6-only networks, so Echo
// may well be reached this way: such an address is judged by its IPv4 address,
// allowed when that is public and refused when the IPv4 address would be.
const ipv4Mapped = [0, 0, 0, 0, 0, 0xffff];
const nat64WellKnown = [0x64, 0xff9b, 0, 0, 0, 0];
function embeddedIpv4(groups: readonly number[]): string | undefined {
  const within = (prefix: readonly number[]) => prefix.every((g, i) => groups[i] === g);
  if (!within(ipv4Mapped) && !within(nat64WellKnown)) return undefined;
  const [hi, lo] = [groups[6]!, groups[7]!];
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    // A zone (fe80::1%eth0) names the interface, not another address.
    const bare = address.replace(/%.*$/, "");
    const v4 = embeddedIpv4(ipv6Groups(bare));
    if (v4 !== undefined) return blocked.check(v4, "ipv4");
    return blocked.check(bare, "ipv6");
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
      `${host} resolves to ${bad}, a loopback, private, link-local, metadata or IPv4-tunnelling address; list ${hostKey(url)} in INTEGRATION_ALLOWED_HOSTS to allow it`,
      "forbidden_address",
    );
  }
  return url;
}
