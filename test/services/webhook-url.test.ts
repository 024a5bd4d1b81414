import { createHmac } from 'node:crypto';
import { publicOnlyLookup, retryDelayMs, signature } from '../../src/services/webhook-sender';
import { isPublicAddress, urlProblem } from '../../src/services/webhook-url';

describe('webhook URL safety', () => {
  test('public addresses pass; loopback, private, link-local, metadata and mapped ones do not', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) expect(isPublicAddress(a)).toBe(true);
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1', 'not-an-ip']) {
      expect(isPublicAddress(a)).toBe(false);
    }
  });

  test('only http(s); without an allow-list any public host, with one only the listed hosts', () => {
    expect(urlProblem('https://hooks.example.com/x', [])).toBeNull();
    expect(urlProblem('ftp://hooks.example.com/', [])).toMatch(/http/);
    expect(urlProblem('not a url', [])).toMatch(/not a URL/);
    expect(urlProblem('http://user:pw@hooks.example.com/', [])).toMatch(/credentials/);
    expect(urlProblem('http://localhost:3000/', [])).toMatch(/not a public host/);
    expect(urlProblem('http://[::1]/', [])).toMatch(/not a public address/);
    expect(urlProblem('http://127.0.0.1:9/', ['127.0.0.1'])).toBeNull();
    expect(urlProblem('https://hooks.example.com/', ['127.0.0.1'])).toMatch(/LOUPE_WEBHOOK_ALLOWED_HOSTS/);
  });
});

describe('webhook signing and retries', () => {
  test('the signature is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const h = createHmac('sha256', 'secret').update('1700000000.{"a":1}').digest('hex');
    expect(signature('secret', 1_700_000_000, '{"a":1}')).toBe(`t=1700000000,v1=${h}`);
  });

  test('retries double from the base, within ±20 %; 8 attempts at the default span about a day', () => {
    expect(retryDelayMs(1, 1000, () => 0.5)).toBe(1000);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(4000);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(3200);
    expect(retryDelayMs(3, 1000, () => 1)).toBe(4800);
    let total = 0;
    for (let a = 1; a < 8; a++) total += retryDelayMs(a, 600_000, () => 0.5);
    expect(total / 3600_000).toBeGreaterThan(18);
    expect(total / 3600_000).toBeLessThan(26);
  });
});

describe('the send-time lookup', () => {
  test('a name resolving to loopback is refused on the connection itself', async () => {
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(err?.code).toBe('EADDRNOTALLOWED');
    expect(err?.message).toMatch(/not a public address/);
  });
});
