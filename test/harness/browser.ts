// Debian's Chromium driven by playwright-core (no browser download needed). CHROMIUM_PATH overrides the binary.
import { chromium, type Browser } from 'playwright-core';
import { registerCleanup } from './cleanup';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  // On a plain process exit playwright kills the browser it launched itself; nothing synchronous to do here.
  const close = registerCleanup(
    async () => {
      await browser.close().catch(() => undefined);
    },
    () => undefined,
  );
  return { browser, close };
}
