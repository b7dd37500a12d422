// Drives the real VS Code workbench (code-server in Debian's Chromium) like a person: keyboard, palette,
// quick inputs, editor tabs, webviews, notifications, screenshots. Used by test/ui/**/*.test.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { launchChromium, type LaunchedBrowser } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { projectRoot, testResultsDir } from './paths';

export interface WorkbenchOptions {
  /** Folder opened in the workbench (see prepareWorkspace). */
  workspace: string;
  /** Extension loaded in development mode; defaults to this project (run `npm run build` first). */
  extensionDevelopmentPath?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Default timeout of every wait, ms (default 30 s). */
  timeoutMs?: number;
  /** 'untrusted': workspace trust enabled and the folder untrusted (Restricted Mode); see CodeServerOptions. */
  workspaceTrust?: 'untrusted';
  /**
   * Install this project as an extension (linked into the extensions folder) instead of loading it in development
   * mode: VS Code never disables an extension under development, so only an installed one shows what its
   * package.json capabilities (Restricted Mode, virtual workspaces) really do.
   */
  installed?: boolean;
}

export type ThemeKind = 'light' | 'dark' | 'hc';

const THEMES: Record<ThemeKind, { name: string; bodyClass: string }> = {
  light: { name: 'Default Light Modern', bodyClass: 'vs' },
  dark: { name: 'Default Dark Modern', bodyClass: 'vs-dark' },
  hc: { name: 'Default High Contrast', bodyClass: 'hc-black' },
};

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_INPUT_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly server: CodeServer,
    readonly workspace: string,
    private readonly browser: LaunchedBrowser,
    readonly timeoutMs: number,
    private readonly ownsServer: boolean,
  ) {}

  /** Starts code-server with the extension, opens the workbench and waits until it is usable. */
  static async start(opts: WorkbenchOptions): Promise<Workbench> {
    const server = await startCodeServer({
      workspace: opts.workspace, settings: opts.settings, workspaceTrust: opts.workspaceTrust, ...(opts.installed ? { linkExtension: projectRoot() } : {}),
    });
    try {
      return await Workbench.attach(server, opts, true);
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** Opens a browser on an already running server; close() then leaves the server running unless `ownsServer`. */
  static async attach(server: CodeServer, opts: WorkbenchOptions, ownsServer = false): Promise<Workbench> {
    const development = opts.installed ? {} : { extensionDevelopmentPath: opts.extensionDevelopmentPath ?? projectRoot() };
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const browser = await launchChromium();
    try {
      const page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(timeoutMs);
      await page.goto(server.workbenchUrl(development));
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      await page.locator('.monaco-workbench .explorer-folders-view, .monaco-workbench .part.sidebar').first().waitFor({ state: 'visible', timeout: 60_000 });
      if (opts.workspaceTrust === 'untrusted') {
        // What a person does with a downloaded folder: answer the trust prompt with "No", i.e. Restricted Mode.
        await page.getByRole('button', { name: "No, I don't trust the authors" }).click({ timeout: 60_000 });
        await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible' });
      }
      return new Workbench(page, server, opts.workspace, browser, timeoutMs, ownsServer);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** Opens a file through Quick Open (Ctrl+P), as a user would. */
  async quickOpen(fileName: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    await this.page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible' });
    await this.page.keyboard.type(fileName);
    await this.focusedRowContaining(fileName);
    await this.page.keyboard.press('Enter');
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
  }

  /** Runs a command from the palette (F1) by its title, e.g. "Convert to HF AST". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible' });
    await this.page.keyboard.type(title);
    await this.focusedRowContaining(title);
    await this.page.keyboard.press('Enter');
  }

  /** The palette entries currently listed (aria labels), e.g. after typing into F1. */
  async quickInputItems(): Promise<string[]> {
    const rows = this.page.locator(QUICK_INPUT_ROWS);
    return (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''))).map((s) => s.trim());
  }

  /**
   * Waits for a quick input (input box or pick list) and returns its title/placeholder/validation text.
   * Pass `title` to wait for a specific prompt (right after runCommand the palette itself is still open).
   */
  async quickInput(title?: string | RegExp): Promise<{ title: string; placeholder: string; value: string; message: string }> {
    if (title !== undefined) await this.page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).first().waitFor({ state: 'visible' });
    await this.page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible' });
    const text = async (selector: string): Promise<string> => {
      const l = this.page.locator(`${QUICK_INPUT} ${selector}`).first();
      return (await l.count()) ? ((await l.textContent()) ?? '').trim() : '';
    };
    return {
      title: await text('.quick-input-title'),
      placeholder: (await this.page.locator(QUICK_INPUT_BOX).getAttribute('placeholder')) ?? '',
      value: await this.page.locator(QUICK_INPUT_BOX).inputValue(),
      message: await text('.quick-input-message'),
    };
  }

  /**
   * Answers the visible quick input: replaces its text with `text` (if given) and presses Enter.
   * For pick lists, `text` filters the items and Enter takes the first match.
   */
  async answerQuickInput(text?: string): Promise<void> {
    const box = this.page.locator(QUICK_INPUT_BOX);
    await box.waitFor({ state: 'visible' });
    if (text !== undefined) {
      await box.fill(text);
      if (await this.page.locator(QUICK_INPUT_ROWS).count()) await this.focusedRowContaining(text).catch(() => undefined);
    }
    await this.page.keyboard.press('Enter');
  }

  async pressEnter(): Promise<void> {
    await this.page.keyboard.press('Enter');
  }

  async pressEscape(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }

  /** Title of the active editor tab (e.g. "ssast-tiny-sample.pth"). */
  async activeTabTitle(): Promise<string> {
    const tab = this.page.locator('.part.editor .tabs-container .tab.active').first();
    await tab.waitFor({ state: 'visible' });
    return ((await tab.getAttribute('aria-label')) ?? (await tab.textContent()) ?? '').trim();
  }

  /** Waits until the active tab's label contains `name`. */
  async waitForActiveTab(name: string): Promise<void> {
    await this.page.locator('.part.editor .tabs-container .tab.active', { hasText: name }).first().waitFor({ state: 'visible' });
  }

  /**
   * A locator scope inside the visible webview's content: custom editors render in an outer
   * `iframe.webview` hosting the extension's page in an inner `#active-frame`.
   */
  webview(): FrameLocator {
    return this.page.locator('iframe.webview.ready:visible').last().contentFrame().locator('#active-frame').contentFrame();
  }

  /** The visible webview's content frame (for evaluate()); waits until it has loaded. */
  async webviewFrame(): Promise<Frame> {
    const outer = this.page.locator('iframe.webview.ready:visible').last();
    await outer.waitFor({ state: 'attached' });
    const inner = outer.contentFrame().locator('#active-frame');
    await inner.waitFor({ state: 'attached' });
    const frame = await (await inner.elementHandle())?.contentFrame();
    if (!frame) throw new Error('workbench: the webview has no #active-frame content frame');
    await frame.waitForLoadState('domcontentloaded');
    return frame;
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    const items = this.page.locator('.notifications-toasts .notification-list-item-message');
    return (await items.allTextContents()).map((s) => s.trim());
  }

  /** Waits for a notification toast containing `text` and returns its full text. */
  async waitForNotification(text: string | RegExp): Promise<string> {
    const item = this.page.locator('.notifications-toasts .notification-list-item-message', { hasText: text }).first();
    await item.waitFor({ state: 'visible' });
    return ((await item.textContent()) ?? '').trim();
  }

  /**
   * What the workbench shows right now, in one line for a failure message: the active tab, the quick
   * input (title, placeholder, value, message, rows with the focused one marked) and the toasts.
   */
  async describeState(): Promise<string> {
    return this.page.evaluate(() => {
      const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
      const widget = document.querySelector('.quick-input-widget') as HTMLElement | null;
      const shown = widget !== null && widget.offsetParent !== null && widget.style.display !== 'none';
      const input = widget?.querySelector('.quick-input-box input') as HTMLInputElement | null;
      const rows = [...(widget?.querySelectorAll('.quick-input-list .monaco-list-row') ?? [])].slice(0, 6)
        .map((r) => `${r.classList.contains('focused') ? '>' : ''}${text(r)}`);
      const quick = shown
        ? `quick input "${text(widget.querySelector('.quick-input-title'))}" placeholder "${input?.placeholder ?? ''}" value "${input?.value ?? ''}" message "${text(widget.querySelector('.quick-input-message'))}" rows [${rows.join(' | ')}]`
        : 'no quick input';
      const toasts = [...document.querySelectorAll('.notifications-toasts .notification-list-item-message')].map(text);
      return `active tab "${text(document.querySelector('.part.editor .tab.active'))}"; ${quick}; toasts [${toasts.join(' | ')}]; focus in ${document.activeElement?.tagName ?? 'nothing'}`;
    });
  }

  /** Saves a PNG of the whole workbench as test-results/NAME.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(testResultsDir(), { recursive: true });
    const path = join(testResultsDir(), `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Switches the colour theme through the user settings file and waits until the workbench shows it. */
  async setTheme(kind: ThemeKind): Promise<void> {
    const file = join(this.server.userDataDir, 'Machine', 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    settings['workbench.colorTheme'] = THEMES[kind].name;
    writeFileSync(file, JSON.stringify(settings, null, 2));
    await this.page.locator(`.monaco-workbench.${THEMES[kind].bodyClass}`).waitFor({ state: 'attached' });
  }

  /** Closes the browser and stops code-server if this workbench started it (safe to call twice). */
  async close(): Promise<void> {
    await this.browser.close();
    if (this.ownsServer) await this.server.stop();
  }

  private async focusedRowContaining(text: string): Promise<void> {
    await this.page.locator(`${QUICK_INPUT_ROWS}.focused`, { hasText: text }).first().waitFor({ state: 'visible' });
  }
}
