import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkOutboundUrl, hostKey, isAllowedHost, isForbiddenAddress, OutboundRefused } from "./ssrf-guard.ts";

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
// The same address as two IPv6 groups.
const ipv4Hex = (a: number, b: number, c: number, d: number) =>
  `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;

// A rejection with the given reason (checked without any network access).
async function refusal(url: string, allowed: string[] = []): Promise<OutboundRefused["reason"] | "allowed"> {
  try {
    await checkOutboundUrl(url, allowed);
    return "allowed";
  } catch (err) {
    expect(err).toBeInstanceOf(OutboundRefused);
    return (err as OutboundRefused).reason;
  }
}

describe("isForbiddenAddress: IPv4", () => {
  it.each([
    ["loopback", "127.0.0.1"],
    ["loopback, anywhere in 127/8", "127.255.10.3"],
    ["this network", "0.0.0.0"],
    ["RFC 1918 10/8", "10.1.2.3"],
    ["RFC 1918 172.16/12, low end", "172.16.0.1"],
    ["RFC 1918 172.16/12, high end", "172.31.255.254"],
    ["RFC 1918 192.168/16", "192.168.1.10"],
    ["cloud metadata (link-local)", "169.254.169.254"],
    ["link-local", "169.254.0.1"],
    ["CGNAT 100.64/10, low end", "100.64.0.1"],
    ["CGNAT 100.64/10, high end", "100.127.255.255"],
    ["IETF protocol assignments", "192.0.0.8"],
    ["benchmarking", "198.18.0.1"],
    ["multicast", "224.0.0.1"],
    ["reserved / broadcast", "255.255.255.255"],
  ])("refuses %s (%s)", (_label, address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.15.255.255",
    "172.32.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "169.253.255.255",
    "11.0.0.1",
    "192.169.0.1",
  ])("allows the public address %s", (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it("refuses every address in 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16 and 100.64/10", () => {
    const privateArb = fc.oneof(
      fc.tuple(octet, octet, octet).map(([b, c, d]) => ipv4(10, b, c, d)),
      fc.tuple(octet, octet, octet).map(([b, c, d]) => ipv4(127, b, c, d)),
      fc.tuple(octet, octet).map(([c, d]) => ipv4(169, 254, c, d)),
      fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => ipv4(172, b, c, d)),
      fc.tuple(octet, octet).map(([c, d]) => ipv4(192, 168, c, d)),
      fc.tuple(fc.integer({ min: 64, max: 127 }), octet, octet).map(([b, c, d]) => ipv4(100, b, c, d)),
    );
    fc.assert(
      fc.property(privateArb, (address) => {
        expect(isForbiddenAddress(address)).toBe(true);
      }),
    );
  });

  it("treats an IPv4 address and its IPv4-mapped IPv6 forms alike", () => {
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        const v4 = ipv4(a, b, c, d);
        const hex = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        const expected = isForbiddenAddress(v4);
        expect(isForbiddenAddress(`::ffff:${v4}`)).toBe(expected);
        expect(isForbiddenAddress(`::FFFF:${v4}`)).toBe(expected);
        expect(isForbiddenAddress(hex)).toBe(expected);
        expect(isForbiddenAddress(`0:0:0:0:0:ffff:${v4}`)).toBe(expected);
      }),
    );
  });
});

describe("isForbiddenAddress: IPv6", () => {
  it.each([
    ["loopback", "::1"],
    ["loopback, written out", "0000:0000:0000:0000:0000:0000:0000:0001"],
    ["unspecified", "::"],
    ["unique local fc00::/7 (fc)", "fc00::1"],
    ["unique local fc00::/7 (fd)", "fd12:3456:789a::1"],
    ["unique local, top of range", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["link-local fe80::/10", "fe80::1"],
    ["link-local, top of range", "febf:ffff::1"],
    ["multicast", "ff02::1"],
    ["AWS metadata over IPv6", "fd00:ec2::254"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["IPv4-mapped metadata", "::ffff:169.254.169.254"],
    ["IPv4-mapped metadata, hex form", "::ffff:a9fe:a9fe"],
    ["IPv4-mapped RFC 1918", "::ffff:10.0.0.1"],
    ["link-local with a zone", "fe80::1%eth0"],
    ["NAT64 of the metadata address", "64:ff9b::a9fe:a9fe"],
    ["NAT64 of the metadata address, dotted form", "64:ff9b::169.254.169.254"],
    ["NAT64 of loopback", "64:ff9b::7f00:1"],
    ["NAT64 of RFC 1918", "64:ff9b::10.0.0.1"],
    ["NAT64 of this network", "64:ff9b::"],
    ["NAT64 of broadcast", "64:ff9b::ffff:ffff"],
    ["local-use NAT64 of loopback", "64:ff9b:1::7f00:1"],
    ["local-use NAT64, even of a public address", "64:ff9b:1:808:8:800::"],
    ["local-use NAT64, /96 layout of a public address", "64:ff9b:1::808:808"],
    ["6to4 of loopback", "2002:7f00:1::1"],
    ["6to4 of the metadata address", "2002:a9fe:a9fe::1"],
    ["6to4, even of a public address", "2002:808:808::1"],
    ["Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    ["Teredo, any address", "2001::1"],
    ["IPv4-compatible loopback", "::7f00:1"],
    ["IPv4-compatible loopback, dotted form", "::127.0.0.1"],
    ["IPv4-compatible metadata address", "::a9fe:a9fe"],
    ["IPv4-compatible, even of a public address", "::8.8.8.8"],
    ["IPv4-translated (SIIT) loopback", "::ffff:0:7f00:1"],
    ["IPv4-translated (SIIT), even of a public address", "::ffff:0:808:808"],
  ])("refuses %s (%s)", (_label, address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "fbff::1",
    "fec0::1",
    // NAT64 (well-known prefix) of a public address: how a DNS64 resolver on an
    // IPv6-only network presents an IPv4-only host, reached at that public address.
    "64:ff9b::8.8.8.8",
    "64:ff9b::808:808",
    "64:ff9b::5db8:d822",
    // Just outside the ranges refused outright.
    "2001:1::1",
    "2003::1",
    "64:ff9b:2::1",
  ])("allows the public address %s", (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it("refuses every address in fc00::/7 and fe80::/10", () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const ula = fc
      .tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), group, group)
      .map(([a, b, c]) => `${a.toString(16)}:${b}::${c}`);
    const linkLocal = fc
      .tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), group)
      .map(([a, b]) => `${a.toString(16)}::${b}`);
    fc.assert(
      fc.property(fc.oneof(ula, linkLocal), (address) => {
        expect(isForbiddenAddress(address)).toBe(true);
      }),
    );
  });

  it("judges a well-known-prefix NAT64 address by the IPv4 address it embeds", () => {
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        const v4 = ipv4(a, b, c, d);
        const hex = `64:ff9b::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        const expected = isForbiddenAddress(v4);
        expect(isForbiddenAddress(`64:ff9b::${v4}`)).toBe(expected);
        expect(isForbiddenAddress(hex)).toBe(expected);
        expect(isForbiddenAddress(hex.toUpperCase())).toBe(expected);
        expect(isForbiddenAddress(`0064:ff9b:0:0:0:0:${v4}`)).toBe(expected);
      }),
    );
  });

  it("refuses every 6to4, Teredo, IPv4-compatible and local-use NAT64 address, whatever IPv4 address it carries", () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const tunnelled = fc.oneof(
      fc.tuple(octet, octet, octet, octet, group).map(([a, b, c, d, g]) => `2002:${ipv4Hex(a, b, c, d)}:${g}::1`),
      fc
        .tuple(octet, octet, octet, octet, group, group)
        .map(
          ([a, b, c, d, flags, port]) =>
            `2001:0:${ipv4Hex(a, b, c, d)}:${flags}:${port}:${ipv4Hex(255 - a, 255 - b, 255 - c, 255 - d)}`,
        ),
      fc.tuple(octet, octet, octet, octet).map(([a, b, c, d]) => `::${ipv4(a, b, c, d)}`),
      fc.tuple(octet, octet, octet, octet).map(([a, b, c, d]) => `::${ipv4Hex(a, b, c, d)}`),
      fc.tuple(group, octet, octet, octet, octet).map(([g, a, b, c, d]) => `64:ff9b:1:${g}::${ipv4(a, b, c, d)}`),
    );
    fc.assert(
      fc.property(tunnelled, (address) => {
        expect(isForbiddenAddress(address)).toBe(true);
      }),
    );
  });

  it("refuses anything that is not an IP address at all", () => {
    for (const s of ["", "localhost", "example.com", "127.0.0.1.nip.io", "256.0.0.1", "1.2.3", "::ffff:999.0.0.1"]) {
      expect(isForbiddenAddress(s)).toBe(true);
    }
  });
});

describe("allowed hosts", () => {
  it("keys a URL by lower-case host and explicit or default port", () => {
    expect(hostKey(new URL("https://Echo.Example.COM/api"))).toBe("echo.example.com:443");
    expect(hostKey(new URL("http://echo.local/api"))).toBe("echo.local:80");
    expect(hostKey(new URL("http://127.0.0.1:4100/"))).toBe("127.0.0.1:4100");
    expect(hostKey(new URL("http://[::1]:4100/"))).toBe("::1:4100");
  });

  it("matches only the exact host and port", () => {
    expect(isAllowedHost(new URL("http://127.0.0.1:4100/v1"), ["127.0.0.1:4100"])).toBe(true);
    expect(isAllowedHost(new URL("http://127.0.0.1:4101/v1"), ["127.0.0.1:4100"])).toBe(false);
    expect(isAllowedHost(new URL("http://127.0.0.10:4100/v1"), ["127.0.0.1:4100"])).toBe(false);
    expect(isAllowedHost(new URL("http://[::1]:4100/"), ["[::1]:4100"])).toBe(true);
    expect(isAllowedHost(new URL("http://[::1]:4100/"), ["[::1]:4101"])).toBe(false);
  });
});

describe("checkOutboundUrl", () => {
  it("refuses plain http to a host that is not allowed, before any lookup", async () => {
    expect(await refusal("http://echo.example.com/v1")).toBe("scheme");
    expect(await refusal("http://8.8.8.8/v1")).toBe("scheme");
    expect(await refusal("http://127.0.0.1:4100/v1", ["127.0.0.1:4101"])).toBe("scheme");
  });

  it("refuses other schemes and things that are not URLs", async () => {
    expect(await refusal("ftp://echo.example.com/")).toBe("scheme");
    expect(await refusal("file:///etc/passwd")).toBe("scheme");
    expect(await refusal("not a url")).toBe("invalid_url");
    expect(await refusal("")).toBe("invalid_url");
  });

  it("refuses https to loopback, private, metadata and IPv6 local addresses", async () => {
    for (const url of [
      "https://127.0.0.1/",
      "https://10.0.0.5:8443/",
      "https://169.254.169.254/latest/meta-data/",
      "https://100.64.0.1/",
      "https://[::1]/",
      "https://[fd00::1]/",
      "https://[fe80::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:169.254.169.254]/",
      "https://[64:ff9b::a9fe:a9fe]/", // NAT64 of the metadata address
      "https://[64:ff9b::127.0.0.1]/",
      "https://[::7f00:1]/", // IPv4-compatible loopback
      "https://[2002:7f00:1::1]/", // 6to4 of loopback
      "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", // Teredo
      "https://[64:ff9b:1::a9fe:a9fe]/", // local-use NAT64
      "https://2130706433/", // 127.0.0.1 as a single number
      "https://0x7f.1/", // 127.0.0.1 in hex shorthand
    ]) {
      expect(await refusal(url), url).toBe("forbidden_address");
    }
  });

  it("refuses localhost after resolving it", async () => {
    expect(await refusal("https://localhost/")).toBe("forbidden_address");
    expect(await refusal("https://localhost:4100/")).toBe("forbidden_address");
  });

  it("explains how to allow a refused address", async () => {
    await expect(checkOutboundUrl("https://10.0.0.5:8443/", [])).rejects.toThrow(
      /10\.0\.0\.5:8443.*INTEGRATION_ALLOWED_HOSTS/,
    );
  });

  it("lets an allowed host:port through over http or https, even on loopback", async () => {
    expect((await checkOutboundUrl("http://127.0.0.1:4100/v1/events", ["127.0.0.1:4100"])).href).toBe(
      "http://127.0.0.1:4100/v1/events",
    );
    expect((await checkOutboundUrl("https://127.0.0.1:4100/v1", ["127.0.0.1:4100"])).port).toBe("4100");
    expect((await checkOutboundUrl("http://localhost:4100/", ["localhost:4100"])).hostname).toBe("localhost");
    expect((await checkOutboundUrl("http://[::1]:4100/", ["[::1]:4100"])).hostname).toBe("[::1]");
  });

  it("lets https to a public address through", async () => {
    expect((await checkOutboundUrl("https://8.8.8.8/v1", [])).host).toBe("8.8.8.8");
    expect((await checkOutboundUrl("https://[2606:4700:4700::1111]/v1", [])).hostname).toBe("[2606:4700:4700::1111]");
    expect((await checkOutboundUrl("https://[64:ff9b::8.8.8.8]/v1", [])).hostname).toBe("[64:ff9b::808:808]");
  });

  it("lets an allowed host:port through even on an address refused outright", async () => {
    expect((await checkOutboundUrl("https://[2002:7f00:1::1]:8443/", ["[2002:7f00:1::1]:8443"])).port).toBe("8443");
  });
});
