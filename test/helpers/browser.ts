import { existsSync } from 'node:fs';
import { chromium, Browser } from 'playwright-core';

/**
 * A real headless Chromium (Debian's `chromium` package; CHROMIUM_PATH overrides) driven by playwright-core, for
 * tests of pages. Returns null, with the reason, when no browser is installed, so a machine without one skips the
 * page tests and says why (CI installs it).
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(
  (p): p is string => typeof p === 'string' && p !== '',
);

export function chromiumPath(): string | null {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(`no Chromium found (looked at ${CANDIDATES.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
