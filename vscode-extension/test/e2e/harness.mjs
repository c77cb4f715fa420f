// A real VS Code (code-server) in headless Chromium, driven with playwright-core.
// Used by editor.test.mjs; no test logic here.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO = path.resolve(EXTENSION_DIR, '..');

/** Paths and settings of the run, from the environment (scripts/test-extension.sh sets them). */
export function config() {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    python: process.env.TANGENT_PYTHON || path.join(REPO, '.venv', 'bin', 'python'),
    vsix: process.env.TANGENT_VSIX || path.join(EXTENSION_DIR, 'tangent-lsp.vsix'),
    codeServer: process.env.CODE_SERVER_ENTRY || '',
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    screenshots: process.env.TANGENT_SCREENSHOTS || path.join(EXTENSION_DIR, 'test-results', `editor-${stamp}`),
    keep: process.env.TANGENT_KEEP_TMP === '1',
  };
}

/** The code-server entry point: $CODE_SERVER_ENTRY, else what scripts/install-code-server.sh prints. */
export function codeServerEntry(cfg) {
  if (cfg.codeServer) {
    return cfg.codeServer;
  }
  const result = spawnSync('bash', [path.join(REPO, 'scripts', 'install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error('scripts/install-code-server.sh failed');
  }
  return result.stdout.trim().split('\n').pop();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `fn` until it returns a truthy value; throw with `what` after `timeoutMs`. */
export async function waitFor(what, fn, { timeoutMs = 20_000, intervalMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  let lastError;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) {
        return last;
      }
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const detail = lastError ? `: ${lastError.message}` : last !== undefined ? ` (last: ${JSON.stringify(last)})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

/** A fresh code-server: its own profile, extensions folder and workspace, on a free local port. */
export class CodeServer {
  constructor(cfg, entry) {
    this.cfg = cfg;
    this.entry = entry;
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'tangent-editor-test-'));
    this.userData = path.join(this.root, 'user-data');
    this.extensions = path.join(this.root, 'extensions');
    this.workspace = path.join(this.root, 'workspace');
    this.configFile = path.join(this.root, 'config.yaml');
    this.log = path.join(this.root, 'code-server.log');
    for (const dir of [this.userData, this.extensions, this.workspace, path.join(this.userData, 'User')]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    fs.writeFileSync(this.configFile, 'auth: none\ncert: false\n');
  }

  writeUserSettings(settings) {
    fs.writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  baseArgs() {
    return [
      this.entry,
      '--config', this.configFile,
      '--user-data-dir', this.userData,
      '--extensions-dir', this.extensions,
      '--disable-telemetry',
      '--disable-update-check',
    ];
  }

  installExtension(vsix) {
    const result = spawnSync(process.execPath, [...this.baseArgs(), '--install-extension', vsix], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0 || !/successfully installed/i.test(out)) {
      throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${out}`);
    }
    return out.trim();
  }

  async start() {
    this.port = await freePort();
    const logFd = fs.openSync(this.log, 'a');
    this.process = spawn(
      process.execPath,
      [
        ...this.baseArgs(),
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${this.port}`,
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        this.workspace,
      ],
      { stdio: ['ignore', logFd, logFd], env: { ...process.env, VSCODE_PROXY_URI: '' } },
    );
    fs.closeSync(logFd);
    this.exited = new Promise((resolve) => this.process.on('exit', resolve));
    this.url = `http://127.0.0.1:${this.port}`;
    await waitFor('code-server /healthz', async () => {
      if (this.process.exitCode !== null) {
        throw new Error(`code-server exited (${this.process.exitCode}); see ${this.log}`);
      }
      const response = await fetch(`${this.url}/healthz`).catch(() => undefined);
      return response?.ok;
    }, { timeoutMs: 60_000 });
  }

  async stop() {
    if (this.process && this.process.exitCode === null) {
      this.process.kill('SIGTERM');
      await Promise.race([this.exited, sleep(5000)]);
      if (this.process.exitCode === null) {
        this.process.kill('SIGKILL');
      }
    }
  }

  cleanup() {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Headless Chromium showing the VS Code workbench. */
export class Workbench {
  static async open(cfg, url, screenshotsDir) {
    const browser = await chromium.launch({
      executablePath: cfg.chromium,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    const page = await context.newPage();
    const wb = new Workbench(browser, page, screenshotsDir);
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        wb.consoleErrors.push(msg.text());
      }
    });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.part.statusbar').waitFor({ timeout: 30_000 });
    return wb;
  }

  constructor(browser, page, screenshotsDir) {
    this.browser = browser;
    this.page = page;
    this.screenshotsDir = screenshotsDir;
    this.consoleErrors = [];
    this.shots = [];
    fs.mkdirSync(screenshotsDir, { recursive: true });
  }

  async screenshot(name) {
    const file = path.join(this.screenshotsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    this.shots.push(file);
    return file;
  }

  async close() {
    await this.browser.close().catch(() => undefined);
  }

  /** Run a command from the command palette by its title. */
  async runCommand(title) {
    const page = this.page;
    await this.closeWidgets();
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  async closeWidgets() {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Escape');
  }

  /** Open a workspace file from the Explorer (Quick Open as a fallback). */
  async openFile(name) {
    const page = this.page;
    await this.closeWidgets();
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await row.click();
      await this.editorTab(name).waitFor({ timeout: 10_000 });
      return;
    } catch {
      // no Explorer row: use Quick Open
    }
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await this.editorTab(name).waitFor({ timeout: 15_000 });
  }

  editorTab(title) {
    return this.page.locator('.tabs-container .tab', { hasText: title }).first();
  }

  /** The editor group (as a locator) whose active tab is `title`. */
  editorGroup(title) {
    return this.page
      .locator('.editor-group-container')
      .filter({ has: this.page.locator('.tab.active', { hasText: title }) })
      .first();
  }

  /** The text of the lines rendered in the editor showing `title` (the whole text of short documents). */
  async editorText(title) {
    const group = this.editorGroup(title);
    const lines = await group.locator('.monaco-editor .view-lines .view-line').evaluateAll((nodes) =>
      nodes
        .map((n) => ({ top: parseFloat(n.style.top || '0'), text: n.textContent ?? '' }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text.replace(/\u00a0/g, ' ')),
    );
    while (lines.length && lines[lines.length - 1].trim() === '') {
      lines.pop();
    }
    return lines.join('\n');
  }

  /** Set a string setting through the Settings editor, as a user would, and close it. */
  async setStringSetting(id, value) {
    const page = this.page;
    await this.runCommand('Preferences: Open User Settings');
    // The search box has the focus when the Settings editor opens.
    const search = page.locator('.settings-editor .search-container textarea').first();
    await search.waitFor({ timeout: 15_000 });
    await sleep(500);
    await search.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(id);
    // Machine-overridable settings are edited in the Remote tab when VS Code runs remotely (code-server).
    const remote = page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: /^Remote/ }).first();
    if (await remote.isVisible().catch(() => false)) {
      await remote.click();
    }
    await sleep(500);
    const input = page.locator(`.settings-editor .setting-item-contents[data-key="${id}"] input, .settings-editor .setting-item-text input`).first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // On a loaded machine the first fill can land before the Settings editor is ready: retry.
    for (let attempt = 1; ; attempt++) {
      await input.fill(value);
      await input.press('Enter');
      try {
        await waitFor(`${id} = ${value} in the Settings editor`, async () => (await input.inputValue()) === value, { timeoutMs: 5000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await sleep(1000); // the Settings editor writes the value after a short delay
  }

  async closeActiveEditor() {
    await this.page.keyboard.press('Control+W');
  }

  /** Go to a 1-based line and column in the active editor (Ctrl+G). */
  async goTo(line, column = 1) {
    const page = this.page;
    await this.closeWidgets();
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}:${column}`);
    await sleep(200);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  }

  /** The rendered token (span) in the editor of `title` whose text is exactly `text`. */
  token(title, text) {
    return this.editorGroup(title)
      .locator('.monaco-editor .view-lines .view-line span span')
      .filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
      .first();
  }
}
