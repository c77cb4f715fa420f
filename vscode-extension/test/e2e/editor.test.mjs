// The extension in a real VS Code: code-server in headless Chromium, driven
// with playwright-core. Run by scripts/test-extension.sh (which builds the
// .vsix and installs code-server first), or `npm run test:editor`.
//
// The scenario, with a screenshot after each step:
//   1. open a Python file                → the server starts (code lenses appear)
//   2. hover the function's name         → the derivative shows
//   3. Tangent: Show Gradient            → a read-only document beside, equal to derive()'s code
//   4. the "Generate derivative" action  → the derivative sits right below the function and,
//                                          imported, matches central finite differences
//   5. edit the function                 → the gradient document updates; the inserted
//                                          derivative gets the stale warning
//   6. Tangent: Insert Derivative        → regenerates it in place: one copy, no warning, correct
//   7. Tangent: Restart Server           → a new server answers
// A step that fails makes the steps that depend on it fail too, saying why.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CodeServer, Workbench, codeServerEntry, config, sleep, waitFor } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, 'fixtures', 'model.py');
const FILE = 'model.py';
const GRADIENT_TAB = 'dloss.py';
const EDIT = { from: '    r = h - y', to: '    r = 2.0 * h - y' };

const cfg = config();
let server;
let wb;
let expected;
const failed = new Set();
const started = Date.now();

/** Run `python -c code args...` with the venv's interpreter; parse its last stdout line as JSON. */
function python(code, ...args) {
  const result = spawnSync(cfg.python, ['-c', code, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(`${cfg.python} failed (${result.status}):\n${result.stderr}`);
  }
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const DERIVE = `
import json, sys
from tangent_lsp import derive
out = {}
for key, path in zip(sys.argv[1::2], sys.argv[2::2]):
    d = derive(open(path).read(), 'loss', path=path)
    out[key] = {'code': d.code, 'header': d.header, 'name': d.name, 'imports': list(d.imports)}
print(json.dumps(out))
`;

// Imports the saved file and compares its derivative with central finite differences.
const CHECK_GRADIENT = `
import importlib.util, json, sys
import numpy as np
path, name = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location('edited_model', path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
W, b, X, y = module.data()
grad = np.asarray(getattr(module, name)(W, b, X, y))
numeric = np.zeros_like(W)
eps = 1e-6
for index in np.ndindex(W.shape):
    Wp = W.copy(); Wp[index] += eps
    Wm = W.copy(); Wm[index] -= eps
    numeric[index] = (module.loss(Wp, b, X, y) - module.loss(Wm, b, X, y)) / (2 * eps)
error = float(np.max(np.abs(grad - numeric)) / max(1.0, float(np.max(np.abs(numeric)))))
print(json.dumps({'shape': list(grad.shape), 'error': error, 'norm': float(np.linalg.norm(grad))}))
`;

function userSettings(interpreter) {
  return {
    'tangent.interpreter': interpreter,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.editor.enablePreview': false,
    'editor.minimap.enabled': false,
    'editor.hover.delay': 200,
    'editor.lightbulb.enabled': 'off',
    'files.autoSave': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    'chat.commandCenter.enabled': false,
    'git.enabled': false,
  };
}

/** A step of the scenario: fails at once, saying why, when a step it needs has failed. */
function step(name, needs, fn, timeout = 90_000) {
  return test(name, { timeout }, async () => {
    const missing = needs.filter((n) => failed.has(n));
    if (missing.length) {
      failed.add(name);
      assert.fail(`not run: it needs "${missing.join('", "')}", which failed`);
    }
    const t0 = Date.now();
    try {
      await fn();
    } catch (error) {
      failed.add(name);
      if (wb) {
        await wb.screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
      }
      throw error;
    } finally {
      console.log(`# step "${name}": ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  });
}

function workspaceFile() {
  return path.join(server.workspace, FILE);
}

function readFile() {
  return fs.readFileSync(workspaceFile(), 'utf8');
}

/** The generated blocks (header line + def) for `loss` in `text`. */
function derivativeBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  lines.forEach((line, i) => {
    if (line.startsWith('# tangent-lsp: d(loss)/')) {
      blocks.push({ line: i, header: line, def: lines[i + 1] ?? '' });
    }
  });
  return blocks;
}

/** The text from `start` (inclusive) to the next top-level statement after the block's def. */
function blockText(text, headerLine) {
  const lines = text.split('\n');
  let end = headerLine + 2;
  while (end < lines.length && (lines[end] === '' || /^\s/.test(lines[end]))) {
    end++;
  }
  while (end > headerLine && lines[end - 1] === '') {
    end--;
  }
  return lines.slice(headerLine, end).join('\n');
}

async function saveActiveEditor() {
  await wb.page.keyboard.press('Control+S');
  await sleep(700);
}

function checkGradient(name) {
  const result = python(CHECK_GRADIENT, workspaceFile(), name);
  console.log(`# ${name} vs central differences: max relative error ${result.error.toExponential(2)}`);
  assert.deepEqual(result.shape, [3, 2]);
  assert.ok(result.norm > 0, 'the gradient is zero');
  assert.ok(result.error < 1e-6, `gradient differs from central finite differences: ${result.error}`);
}

async function problemsText() {
  return (await wb.page.locator('.markers-panel').allTextContents()).join('\n');
}

before(async () => {
  console.log(`# screenshots: ${cfg.screenshots}`);
  assert.ok(fs.existsSync(cfg.python), `no Python at ${cfg.python}: run bash scripts/setup.sh first`);
  assert.ok(fs.existsSync(cfg.vsix), `no .vsix at ${cfg.vsix}: run npm run package first`);
  fs.rmSync(cfg.screenshots, { recursive: true, force: true });

  const edited = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'tangent-expected-')), FILE);
  fs.writeFileSync(edited, fs.readFileSync(FIXTURE, 'utf8').replace(EDIT.from, EDIT.to));
  expected = python(DERIVE, 'original', FIXTURE, 'edited', edited);
  fs.rmSync(path.dirname(edited), { recursive: true, force: true });

  server = new CodeServer(cfg, codeServerEntry(cfg));
  fs.copyFileSync(FIXTURE, workspaceFile());
  server.writeUserSettings(userSettings(cfg.python));
  console.log(`# ${server.installExtension(cfg.vsix).split('\n').pop()}`);
  await server.start();
  wb = await Workbench.open(cfg, `${server.url}/?folder=${encodeURIComponent(server.workspace)}`, cfg.screenshots);
  console.log(`# workbench up after ${((Date.now() - started) / 1000).toFixed(1)} s (code-server log: ${server.log})`);
});

after(async () => {
  const log = server ? tangentLog() : '';
  if (failed.size && log) {
    console.log(`# Tangent output channel:\n${log.split('\n').slice(-40).map((l) => `#   ${l}`).join('\n')}`);
  }
  await wb?.close();
  await server?.stop();
  if (server && !cfg.keep && failed.size === 0) {
    server.cleanup();
  } else if (server) {
    console.log(`# kept ${server.root}`);
  }
  console.log(`# screenshots (${wb?.shots.length ?? 0}): ${cfg.screenshots}`);
  console.log(`# editor test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** The Tangent output channel, as VS Code logged it. */
function tangentLog() {
  const logs = path.join(server.userData, 'logs');
  if (!fs.existsSync(logs)) {
    return '';
  }
  const found = fs
    .readdirSync(logs, { recursive: true })
    .filter((f) => String(f).endsWith(`${path.sep}Tangent.log`))
    .map((f) => path.join(logs, String(f)));
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

step('open a Python file: the server starts', [], async () => {
  const t0 = Date.now();
  await wb.openFile(FILE);
  console.log(`# ${FILE} open after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Code lenses come from the server: they show it started and answered.
  await waitFor('the "Show gradient" code lens', () => wb.page.locator('.codelens-decoration', { hasText: 'Show gradient' }).first().isVisible(), { timeoutMs: 60_000 });
  assert.match(tangentLog(), /server started/);
  await wb.screenshot('01-opened');
});

step('hover the function name: the derivative shows', ['open a Python file: the server starts'], async () => {
  const want = expected.original.code.split('\n')[0].trim(); // def dloss_dW(W, b, X, y, bloss=1.0):
  const hover = wb.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'dloss_dW' });
  await waitFor('a hover with the derivative', async () => {
    await wb.page.mouse.move(5, 500);
    await sleep(150);
    await wb.token(FILE, 'loss').hover();
    await hover.first().waitFor({ state: 'visible', timeout: 4000 }).catch(() => undefined);
    return hover.first().isVisible();
  }, { timeoutMs: 45_000, intervalMs: 500 });
  const text = (await hover.first().textContent()).replace(/\u00a0/g, ' ');
  assert.ok(text.includes(want), `the hover does not show "${want}":\n${text}`);
  for (const line of expected.original.code.split('\n').slice(1, 4)) {
    assert.ok(text.includes(line.trim()), `the hover misses "${line.trim()}"`);
  }
  await wb.screenshot('02-hover-derivative');
});

step('Show Gradient: the derivative opens beside, as derive() writes it', ['open a Python file: the server starts'], async () => {
  await wb.goTo(8, 9); // inside loss: "    r = h - y"
  await wb.runCommand('Tangent: Show Gradient');
  await wb.editorTab(GRADIENT_TAB).waitFor({ timeout: 30_000 });
  const want = expected.original.code.trimEnd();
  const got = await waitFor('the gradient document text', async () => {
    const text = await wb.editorText(GRADIENT_TAB);
    return text === want ? text : undefined;
  }, { timeoutMs: 20_000 }).catch(async () => wb.editorText(GRADIENT_TAB));
  assert.equal(got, want);
  // Beside the source, read-only, and Python.
  const groups = await wb.page.locator('.editor-group-container').count();
  assert.ok(groups >= 2, 'the gradient document is not beside the source');
  await wb.editorTab(GRADIENT_TAB).click();
  await wb.page.locator('.statusbar-item', { hasText: 'Python' }).first().waitFor({ timeout: 5000 });
  await wb.page.keyboard.type('x');
  await sleep(300);
  assert.equal(await wb.editorText(GRADIENT_TAB), want, 'the gradient document is not read-only');
  await wb.editorTab(FILE).click();
  await wb.closeWidgets();
  await sleep(1500); // let the "Cannot edit in read-only editor" notice fade
  await wb.screenshot('03-show-gradient');
});

step('the "Generate derivative" code action inserts it below the function', ['open a Python file: the server starts'], async () => {
  await wb.editorTab(FILE).click();
  await wb.goTo(6, 6); // on the name in "def loss(W, b, X, y):"
  const title = 'Generate derivative of loss';
  const row = wb.page.locator('.action-widget .monaco-list-row', { hasText: new RegExp(`^\\s*${title}\\s*$`) }).first();
  await waitFor(`the code action "${title}"`, async () => {
    await wb.closeWidgets();
    await wb.page.keyboard.press('Control+.');
    await row.waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
    return row.isVisible();
  }, { timeoutMs: 40_000, intervalMs: 500 });
  // Move the keyboard focus onto the row (the menu blocks pointer events), then apply it.
  const focused = wb.page.locator('.action-widget .monaco-list-row.focused');
  for (let i = 0; i < 20 && (await focused.getAttribute('aria-label').catch(() => null)) !== title; i++) {
    await wb.page.keyboard.press('ArrowDown');
    await sleep(100);
  }
  assert.equal(await focused.getAttribute('aria-label'), title);
  await wb.screenshot('04-code-action-menu');
  await wb.page.keyboard.press('Enter');
  await waitFor('the derivative in the editor', async () => (await wb.editorText(FILE)).includes('def dloss_dW('), { timeoutMs: 20_000 });
  await saveActiveEditor();
  const text = await waitFor('the derivative in the saved file', () => (readFile().includes('def dloss_dW(') ? readFile() : undefined));

  // Right below the function: its last line, two blank lines, the header, the derivative.
  const lines = text.split('\n');
  const end = lines.indexOf('    return np.mean(r * r)');
  assert.ok(end > 0, 'the function is gone');
  assert.deepEqual(lines.slice(end + 1, end + 3), ['', ''], 'no two blank lines after the function');
  assert.equal(lines[end + 3], expected.original.header);
  const blocks = derivativeBlocks(text);
  assert.equal(blocks.length, 1, 'not exactly one derivative');
  assert.equal(blockText(text, blocks[0].line), `${expected.original.header}\n${expected.original.code.trimEnd()}`);
  // The imports it needs, once, at the top.
  for (const imp of expected.original.imports) {
    assert.equal(lines.filter((l) => l === imp).length, 1, `"${imp}" is not there exactly once`);
    assert.ok(lines.indexOf(imp) < end, `"${imp}" is not above the function`);
  }
  checkGradient(expected.original.name);
  await wb.screenshot('05-derivative-inserted');
});

step('edit the function: the gradient document updates, the stale warning appears', [
  'Show Gradient: the derivative opens beside, as derive() writes it',
  'the "Generate derivative" code action inserts it below the function',
], async () => {
  await wb.editorTab(FILE).click();
  const line = readFile().split('\n').indexOf(EDIT.from) + 1;
  assert.ok(line > 0);
  await wb.goTo(line, EDIT.from.indexOf('h') + 1);
  await wb.page.keyboard.type('2.0 * ');
  await waitFor('the edit', async () => (await wb.editorText(FILE)).includes(EDIT.to.trim()));

  const want = expected.edited.code.trimEnd();
  assert.notEqual(want, expected.original.code.trimEnd());
  await waitFor('the gradient document to update', async () => (await wb.editorText(GRADIENT_TAB)) === want, { timeoutMs: 20_000 })
    .catch(async (error) => {
      assert.equal(await wb.editorText(GRADIENT_TAB), want, error.message);
    });
  await wb.screenshot('06-gradient-updated');

  await wb.page.keyboard.press('Control+Shift+M'); // Problems
  await waitFor('the stale-derivative warning in Problems', async () => /out of date/.test(await problemsText()), { timeoutMs: 20_000 })
    .catch(async (error) => assert.fail(`${error.message}; Problems shows: ${await problemsText()}`));
  const problems = await problemsText();
  assert.match(problems, /derivative of 'loss' is out of date/);
  // On the inserted derivative's header line.
  const header = readFile().split('\n').findIndex((l) => l.startsWith('# tangent-lsp: d(loss)/')) + 1;
  assert.match(problems, new RegExp(`\\[Ln ${header}, Col \\d+\\]`), `not on the header line ${header}: ${problems}`);
  await wb.screenshot('07-stale-warning');
});

step('Insert Derivative regenerates it in place', ['edit the function: the gradient document updates, the stale warning appears'], async () => {
  await wb.editorTab(FILE).click();
  const line = (await wb.editorText(FILE)).split('\n').indexOf(EDIT.to) + 1;
  await wb.goTo(line > 0 ? line : 8, 5);
  await wb.runCommand('Tangent: Insert Derivative');
  await waitFor('the regenerated derivative', async () => {
    const blocks = derivativeBlocks(await wb.editorText(FILE));
    return blocks.length === 1 && blocks[0].header === expected.edited.header;
  }, { timeoutMs: 20_000 });
  await saveActiveEditor();
  const text = await waitFor('the saved file', () => (readFile().includes(expected.edited.header) ? readFile() : undefined));
  const blocks = derivativeBlocks(text);
  assert.equal(blocks.length, 1, 'regenerating added a second derivative');
  assert.equal(blockText(text, blocks[0].line), `${expected.edited.header}\n${expected.edited.code.trimEnd()}`);
  await waitFor('the stale warning to go', async () => !/out of date/.test(await problemsText()), { timeoutMs: 20_000 });
  checkGradient(expected.edited.name);
  await wb.screenshot('08-regenerated');
});

step('Restart Server: a new server answers', ['open a Python file: the server starts'], async () => {
  const before = (tangentLog().match(/server started/g) ?? []).length;
  await wb.runCommand('Tangent: Restart Server');
  await waitFor('a second "server started"', () => (tangentLog().match(/server started/g) ?? []).length > before, { timeoutMs: 30_000 });
  await wb.editorTab(FILE).click();
  await waitFor('code lenses from the new server', () => wb.page.locator('.codelens-decoration', { hasText: 'Show gradient' }).first().isVisible(), { timeoutMs: 30_000 });
  await wb.screenshot('09-restarted');
});

step('an interpreter without tangent-lsp: an error that says how to install it', ['open a Python file: the server starts'], async () => {
  // A Python that cannot import tangent_lsp: isolated mode, no site-packages.
  const bare = path.join(server.root, 'bare-python');
  fs.writeFileSync(bare, '#!/bin/sh\nexec python3 -I -S "$@"\n', { mode: 0o755 });
  const starts = (tangentLog().match(/server started/g) ?? []).length;
  await wb.setStringSetting('tangent.interpreter', bare);
  const toast = wb.page.locator('.notifications-toasts .notification-toast', { hasText: 'tangent-lsp is not installed' }).first();
  await toast.waitFor({ state: 'visible', timeout: 30_000 });
  assert.ok((await toast.textContent()).includes(bare), 'the error does not name the interpreter');
  await wb.screenshot('10-not-installed-error');
  await toast.locator('.monaco-button', { hasText: 'How to Install' }).click();
  const help = 'Install tangent-lsp.md';
  await wb.editorTab(help).waitFor({ timeout: 15_000 });
  await waitFor('the install instructions', async () => (await wb.editorText(help)).includes('Installing tangent-lsp'));
  assert.ok((await wb.editorText(help)).includes(`${bare} -m pip install`));
  await wb.screenshot('11-install-help');
  // Back to the working interpreter: the server starts again.
  await wb.closeWidgets();
  await wb.setStringSetting('tangent.interpreter', cfg.python);
  await waitFor('the server to start again', () => (tangentLog().match(/server started/g) ?? []).length > starts, { timeoutMs: 30_000 });
});
