import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chooseInterpreter,
  classifyCheck,
  expandPath,
  fromWorkspace,
  importCheckArgs,
  installHelp,
  problemMessage,
  serverArgs,
  serverDirectory,
} from '../../src/lib/interpreter';

describe('chooseInterpreter', () => {
  it('uses the tangent.interpreter setting first', () => {
    const choice = chooseInterpreter({ setting: '/opt/py/bin/python', pythonExtension: '/env/bin/python' });
    assert.deepEqual(choice, { command: '/opt/py/bin/python', source: 'setting' });
  });

  it("uses the Python extension's environment when the setting is empty", () => {
    for (const setting of [undefined, null, '', '   ']) {
      const choice = chooseInterpreter({ setting, pythonExtension: '/env/bin/python' });
      assert.deepEqual(choice, { command: '/env/bin/python', source: 'python-extension' });
    }
  });

  it('falls back to python3', () => {
    assert.deepEqual(chooseInterpreter({}), { command: 'python3', source: 'default' });
    assert.deepEqual(chooseInterpreter({ setting: '', pythonExtension: ' ' }), {
      command: 'python3',
      source: 'default',
    });
  });

  it('honours another fallback (python on Windows)', () => {
    assert.equal(chooseInterpreter({ fallback: 'python' }).command, 'python');
  });

  it('expands ${workspaceFolder} and ~ in the setting and trims it', () => {
    const choice = chooseInterpreter({
      setting: '  ${workspaceFolder}/.venv/bin/python ',
      workspaceFolder: '/work/proj',
      home: '/home/me',
    });
    assert.equal(choice.command, '/work/proj/.venv/bin/python');
    assert.equal(chooseInterpreter({ setting: '~/venv/bin/python', home: '/home/me' }).command, '/home/me/venv/bin/python');
  });
});

describe('expandPath', () => {
  it('leaves unknown variables and a missing folder alone', () => {
    assert.equal(expandPath('${workspaceFolder}/x', {}), '${workspaceFolder}/x');
    assert.equal(expandPath('${foo}/x', { workspaceFolder: '/w' }), '${foo}/x');
  });

  it('expands ${userHome} and ${env:NAME}', () => {
    assert.equal(expandPath('${userHome}/py', { home: '/h' }), '/h/py');
    assert.equal(expandPath('${env:MY_PY}', { env: { MY_PY: '/usr/bin/python3.11' } }), '/usr/bin/python3.11');
    assert.equal(expandPath('${env:NOPE}/x', { env: {} }), '/x');
  });

  it('expands ~ only at the start', () => {
    assert.equal(expandPath('/a/~/b', { home: '/h' }), '/a/~/b');
    assert.equal(expandPath('~', { home: '/h' }), '/h');
  });
});

describe('where the server runs', () => {
  it('takes a relative interpreter path from the workspace folder', () => {
    assert.equal(fromWorkspace('.venv/bin/python', '/w'), '/w/.venv/bin/python');
    assert.equal(fromWorkspace('/usr/bin/python3', '/w'), '/usr/bin/python3');
    assert.equal(fromWorkspace('python3', '/w'), 'python3');
    assert.equal(fromWorkspace('.venv/bin/python', undefined), '.venv/bin/python');
  });

  it('resolves a relative setting, so the server need not run in the workspace', () => {
    const chosen = chooseInterpreter({ setting: 'env/bin/python', workspaceFolder: '/w' });
    assert.equal(chosen.command, '/w/env/bin/python');
  });

  it('never runs in the workspace, whose numpy.py Python would import first', () => {
    assert.equal(serverDirectory('/ext/dist'), '/ext/dist');
  });
});

describe('the import check', () => {
  it('runs tangent_lsp as a module over stdio', () => {
    assert.deepEqual(serverArgs(), ['-m', 'tangent_lsp', 'serve']);
  });

  it('imports tangent_lsp and the server dependencies', () => {
    const [flag, code] = importCheckArgs();
    assert.equal(flag, '-c');
    for (const module of ['tangent_lsp', 'pygls', 'lsprotocol']) {
      assert.match(code, new RegExp(`\\b${module}\\b`));
    }
  });

  it('reports success with the location and Python version', () => {
    const outcome = classifyCheck({ code: 0, stdout: '/x/tangent_lsp/__init__.py\n3.11.2', stderr: '' });
    assert.deepEqual(outcome, { ok: true, location: '/x/tangent_lsp/__init__.py', pythonVersion: '3.11.2' });
  });

  it('tells a missing module from a missing interpreter', () => {
    const missing = classifyCheck({
      code: 1,
      stdout: '',
      stderr: "Traceback (most recent call last):\n  File ...\nModuleNotFoundError: No module named 'tangent_lsp'\n",
    });
    assert.deepEqual(missing, {
      ok: false,
      reason: 'not-installed',
      detail: "ModuleNotFoundError: No module named 'tangent_lsp'",
    });
    assert.deepEqual(classifyCheck({ spawnError: 'ENOENT', code: null, stdout: '', stderr: '' }), {
      ok: false,
      reason: 'not-found',
      detail: 'ENOENT',
    });
    const crashed = classifyCheck({ code: 139, stdout: '', stderr: '' });
    assert.equal(crashed.ok, false);
    assert.equal(!crashed.ok && crashed.reason, 'failed');
    assert.equal(!crashed.ok && crashed.detail, 'exit code 139');
  });

  it('says which interpreter and where it came from', () => {
    const interpreter = { command: 'python3', source: 'default' as const };
    const outcome = classifyCheck({ code: 1, stdout: '', stderr: "No module named 'tangent_lsp'" });
    const message = problemMessage(interpreter, outcome);
    assert.match(message, /tangent-lsp is not installed for python3/);
    assert.match(message, /default/);
    assert.equal(problemMessage(interpreter, { ok: true, location: '', pythonVersion: '' }), '');
    const notFound = problemMessage({ command: '/no/python', source: 'setting' }, { ok: false, reason: 'not-found', detail: 'ENOENT' });
    assert.match(notFound, /cannot run the Python interpreter \/no\/python \(from the tangent\.interpreter setting\)/);
  });

  it('explains how to install tangent-lsp into that interpreter', () => {
    const help = installHelp({ command: '/opt/my py/bin/python', source: 'setting' });
    assert.match(help, /"\/opt\/my py\/bin\/python" -m pip install/);
    assert.match(help, /tangent\.interpreter/);
    assert.match(help, /Tangent: Restart Server/);
  });
});
