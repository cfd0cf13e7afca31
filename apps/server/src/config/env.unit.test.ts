import { describe, expect, it } from "vitest";
import { loadConfig, parseTrustProxy, trustedProxies } from "./env.ts";

describe("TRUST_PROXY", () => {
  it("reads false, true (one proxy), a number of proxies, or the proxies' addresses", () => {
    expect(parseTrustProxy("false")).toBe(false);
    expect(parseTrustProxy("")).toBe(false);
    expect(parseTrustProxy("true")).toBe(1);
    expect(parseTrustProxy("2")).toBe(2);
    expect(parseTrustProxy("10.0.0.0/8, loopback")).toEqual(["10.0.0.0/8", "loopback"]);
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it("refuses what is not an address or a range, saying what it expects", () => {
    expect(() => parseTrustProxy("yes please")).toThrow(/TRUST_PROXY: .*expected false, true, a number/);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/99" })).toThrow(/invalid configuration: TRUST_PROXY/);
  });

  it("trusts only as many hops as there are proxies", () => {
    // Hop 0 is the socket's peer (the proxy); hop 1 the address it appended; further left, what the client wrote.
    const one = trustedProxies(1)!;
    expect([one("127.0.0.1", 0), one("203.0.113.9", 1)]).toEqual([true, false]);
    const listed = trustedProxies(["10.0.0.0/8"])!;
    expect([listed("10.1.2.3", 0), listed("203.0.113.9", 1)]).toEqual([true, false]);
    expect(trustedProxies(false)).toBeUndefined();
  });
});
