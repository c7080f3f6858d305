/**
 * Debian's chromium driven by playwright-core, offline: the figure tests and the book's check open pages
 * with it. No browser is ever downloaded (playwright's own builds would be); CI installs the Debian
 * package (.ci/run).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian installs chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags that keep chromium from reaching out on its own (updates, sync, first-run pages) and from needing a GPU. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Why a browser test cannot run here, or false. In CI a missing browser is a failure (.ci/run installs
 * it); elsewhere it is a skip with the reason, since a browser is a system package npm cannot install.
 */
export function chromiumMissing(): string | false {
  return !existsSync(CHROMIUM) && !process.env.CI ? `Debian's chromium is not installed (apt-get install chromium)` : false;
}

/** Starts headless chromium; throws naming the fix when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} does not exist: install Debian's chromium (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page that may read local files only, and what it tried beyond them. */
export interface OfflinePage {
  page: Page;
  /** Every request to anything but a file:// URL: each one was refused. */
  refused: string[];
  /** Console messages of type error, uncaught page errors, and requests that failed (a missing local file). */
  errors: string[];
}

/**
 * A new page on which every network request is refused (route interception; file:// URLs pass) and
 * recorded, and every console error, page error and failed request is collected.
 */
export async function offlinePage(browser: Browser, viewport = { width: 1200, height: 900 }): Promise<OfflinePage> {
  const page = await browser.newPage({ viewport });
  const refused: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://') || url.startsWith('data:')) return route.continue();
    refused.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (!refused.includes(request.url())) errors.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`);
  });
  return { page, refused, errors };
}
