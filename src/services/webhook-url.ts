import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent. Only http(s). A host named in the allow-list (LOUPE_WEBHOOK_ALLOWED_HOSTS) is allowed
 * whatever it resolves to; with an allow-list no other host is; without one, any host whose every address is public
 * (never loopback, link-local, private, shared, multicast or cloud metadata addresses).
 */

/** Addresses no webhook is sent to unless their host is allow-listed. */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

/** True when `address` (an IPv4 or IPv6 literal) is a public address; IPv4-mapped IPv6 addresses count as IPv4. */
export function isPublicAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return isPublicAddress(mapped[1]);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const n = (parseInt(hex[1], 16) << 16) | parseInt(hex[2], 16);
    return isPublicAddress([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
  }
  const family = isIP(a);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `url` may not receive webhooks as written (before any DNS lookup), or null when it may. */
export function urlProblem(url: string, allowedHosts: readonly string[]): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (u.username || u.password) return 'must not carry credentials';
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (allowedHosts.length) return allowedHosts.includes(host) ? null : `host ${host} is not in LOUPE_WEBHOOK_ALLOWED_HOSTS`;
  if (isIP(host)) return isPublicAddress(host) ? null : `host ${host} is not a public address`;
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local') || !host.includes('.')) {
    return `host ${host} is not a public host name`;
  }
  return null;
}

/**
 * Why `url` may not receive webhooks now, or null when it may: {@link urlProblem}, then (unless the host is
 * allow-listed) every address its name resolves to must be public.
 */
export async function urlProblemResolved(url: string, allowedHosts: readonly string[]): Promise<string | null> {
  const problem = urlProblem(url, allowedHosts);
  if (problem || allowedHosts.length) return problem;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch (e) {
    return `host ${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) return `host ${host} resolves to ${bad.address}, not a public address`;
  return addresses.length ? null : `host ${host} has no address`;
}
