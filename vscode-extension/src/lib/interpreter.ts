/**
 * Which Python runs the tangent-lsp server, and how to tell the user when
 * tangent_lsp is not installed there. No `vscode` import: unit-tested with
 * Node's test runner.
 */

import * as path from 'node:path';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface Interpreter {
  /** The executable, as given to child_process.spawn (a path or a name on PATH). */
  command: string;
  /** Where the choice came from, for messages. */
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** The `tangent.interpreter` setting (may be empty or unset). */
  setting?: string | null;
  /** The Python extension's active environment for the document, when that extension is installed. */
  pythonExtension?: string | null;
  /** The first workspace folder's path, for `${workspaceFolder}` in the setting. */
  workspaceFolder?: string | null;
  /** The user's home directory, for `~` in the setting. */
  home?: string | null;
  /** The fallback; `python3` unless told otherwise (`python` on Windows). */
  fallback?: string;
}

/** Expand `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~` in a path setting. */
export function expandPath(
  value: string,
  vars: { workspaceFolder?: string | null; home?: string | null; env?: Record<string, string | undefined> },
): string {
  let out = value.trim();
  out = out.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
    if (envName !== undefined) {
      return vars.env?.[envName] ?? '';
    }
    if (name === 'workspaceFolder') {
      return vars.workspaceFolder ?? whole;
    }
    return vars.home ?? whole;
  });
  if (vars.home && (out === '~' || out.startsWith('~/') || out.startsWith('~\\'))) {
    out = vars.home + out.slice(1);
  }
  return out;
}

/**
 * A relative interpreter path (`.venv/bin/python`) taken from the workspace folder: the
 * server does not run there (see `serverDirectory`). A bare command stays one for PATH.
 */
export function fromWorkspace(command: string, workspaceFolder?: string | null): string {
  const isPath = command.includes('/') || command.includes('\\');
  if (!isPath || !workspaceFolder || path.isAbsolute(command) || path.win32.isAbsolute(command)) {
    return command;
  }
  return path.resolve(workspaceFolder, command);
}

/**
 * The working directory of the server and of the import check: never the workspace.
 * `python -m` and `python -c` put the working directory first on `sys.path`, so a
 * `numpy.py` or `inspect.py` in the workspace would run inside the server, which must
 * never execute the user's code. The extension's bundle folder holds no Python.
 */
export function serverDirectory(bundleDirectory: string): string {
  return bundleDirectory;
}

/** The setting, else the Python extension's environment, else the fallback (`python3`). */
export function chooseInterpreter(inputs: InterpreterInputs): Interpreter {
  const setting = (inputs.setting ?? '').trim();
  if (setting) {
    const expanded = expandPath(setting, { workspaceFolder: inputs.workspaceFolder, home: inputs.home, env: process.env });
    return { command: fromWorkspace(expanded, inputs.workspaceFolder), source: 'setting' };
  }
  const fromExtension = (inputs.pythonExtension ?? '').trim();
  if (fromExtension) {
    return { command: fromExtension, source: 'python-extension' };
  }
  return { command: inputs.fallback ?? 'python3', source: 'default' };
}

export function describeSource(source: InterpreterSource): string {
  switch (source) {
    case 'setting':
      return 'the tangent.interpreter setting';
    case 'python-extension':
      return "the Python extension's active environment";
    default:
      return 'the default (no tangent.interpreter setting, no Python extension)';
  }
}

/** Arguments that start the server over stdio. */
export function serverArgs(): string[] {
  return ['-m', 'tangent_lsp', 'serve'];
}

/**
 * Arguments of the check that tangent_lsp and its server dependencies import
 * in the interpreter. It prints the package's location on success.
 */
export function importCheckArgs(): string[] {
  return [
    '-c',
    'import sys, tangent_lsp, pygls, lsprotocol; ' +
      'sys.stdout.write(tangent_lsp.__file__ + "\\n" + sys.version.split()[0])',
  ];
}

export type CheckOutcome =
  | { ok: true; location: string; pythonVersion: string }
  | { ok: false; reason: 'not-found' | 'not-installed' | 'failed'; detail: string };

/** Classify the import check from its exit code, output, and spawn error code (ENOENT...). */
export function classifyCheck(result: {
  spawnError?: string | null;
  code: number | null;
  stdout: string;
  stderr: string;
}): CheckOutcome {
  if (result.spawnError) {
    const notFound = result.spawnError === 'ENOENT' || result.spawnError === 'EACCES';
    return { ok: false, reason: notFound ? 'not-found' : 'failed', detail: result.spawnError };
  }
  if (result.code === 0) {
    const [location = '', pythonVersion = ''] = result.stdout.trim().split(/\r?\n/);
    return { ok: true, location, pythonVersion };
  }
  const stderr = result.stderr.trim();
  const lastLine = stderr.split(/\r?\n/).filter(Boolean).pop() ?? `exit code ${result.code}`;
  if (/ModuleNotFoundError|No module named/.test(stderr)) {
    return { ok: false, reason: 'not-installed', detail: lastLine };
  }
  return { ok: false, reason: 'failed', detail: lastLine };
}

/** The one-line message shown when the server cannot be started with `interpreter`. */
export function problemMessage(interpreter: Interpreter, outcome: CheckOutcome): string {
  if (outcome.ok) {
    return '';
  }
  const where = `${interpreter.command} (from ${describeSource(interpreter.source)})`;
  switch (outcome.reason) {
    case 'not-found':
      return `Tangent: cannot run the Python interpreter ${where}: ${outcome.detail}.`;
    case 'not-installed':
      return `Tangent: tangent-lsp is not installed for ${where}: ${outcome.detail}.`;
    default:
      return `Tangent: checking tangent-lsp in ${where} failed: ${outcome.detail}.`;
  }
}

/** Markdown that explains how to install tangent-lsp for `interpreter`, or pick another one. */
export function installHelp(interpreter: Interpreter, outcome?: CheckOutcome): string {
  const python = /\s/.test(interpreter.command) ? `"${interpreter.command}"` : interpreter.command;
  const lines = [
    '# Installing tangent-lsp for the Tangent extension',
    '',
    'The extension runs the tangent-lsp language server as',
    '',
    '```sh',
    `${python} -m tangent_lsp serve`,
    '```',
    '',
    `That interpreter comes from ${describeSource(interpreter.source)}.`,
  ];
  if (outcome && !outcome.ok) {
    lines.push('', `The check failed with: \`${outcome.detail}\``);
  }
  lines.push(
    '',
    '## Install it into that interpreter',
    '',
    'From a clone of the tangent-lsp repository:',
    '',
    '```sh',
    `${python} -m pip install -e /path/to/tangent-lsp`,
    '```',
    '',
    'or, from a built wheel or sdist:',
    '',
    '```sh',
    `${python} -m pip install tangent-lsp`,
    '```',
    '',
    "(In a clone, `bash scripts/setup.sh` creates `.venv` with everything installed; its interpreter is `.venv/bin/python`.)",
    '',
    '## Or use another interpreter',
    '',
    'Set **tangent.interpreter** to a Python (3.11 or newer) where `import tangent_lsp` works,',
    'for example `${workspaceFolder}/.venv/bin/python`, or select that environment in the Python extension.',
    'Then run **Tangent: Restart Server**.',
    '',
  );
  return lines.join('\n');
}
