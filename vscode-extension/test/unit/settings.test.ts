import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickDerivativeAction } from '../../src/lib/codeActions';
import { DEFAULT_SETTINGS, changeKind, serverSettings } from '../../src/lib/settings';

function config(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

describe('serverSettings', () => {
  it('passes the tangent.* settings in the server contract shape', () => {
    assert.deepEqual(serverSettings(config({ mode: 'forward', optimize: false, codeLens: false, timeBudgetMs: 1234.4 })), {
      mode: 'forward',
      optimize: false,
      codeLens: false,
      timeBudgetMs: 1234,
    });
  });

  it('falls back to the defaults for missing or bad values', () => {
    assert.deepEqual(serverSettings(config({})), DEFAULT_SETTINGS);
    assert.deepEqual(
      serverSettings(config({ mode: 'sideways', optimize: 'yes', codeLens: 1, timeBudgetMs: -5 })),
      DEFAULT_SETTINGS,
    );
  });
});

describe('changeKind', () => {
  const affects = (changed: string[]) => (section: string) =>
    changed.some((c) => c === section || c.startsWith(section + '.'));
  it('restarts on a new interpreter, resends other settings, ignores the rest', () => {
    assert.equal(changeKind(affects(['tangent.interpreter'])), 'restart');
    assert.equal(changeKind(affects(['tangent.mode'])), 'settings');
    assert.equal(changeKind(affects(['editor.fontSize'])), 'none');
  });
});

describe('pickDerivativeAction', () => {
  const kind = { value: 'refactor.rewrite' };
  it('picks the preferred Generate action and ignores other providers', () => {
    const actions = [
      { title: 'Extract method', kind: { value: 'refactor.extract' } },
      { title: 'Generate derivative of loss w.r.t. b', kind },
      { title: 'Generate derivative of loss', kind, isPreferred: true },
    ];
    const picked = pickDerivativeAction(actions);
    assert.ok(picked && 'action' in picked);
    assert.equal(picked.action.title, 'Generate derivative of loss');
  });

  it('takes the first enabled one without a preferred, Regenerate too', () => {
    const picked = pickDerivativeAction([{ title: 'Regenerate derivative of loss', kind: 'refactor.rewrite' }]);
    assert.ok(picked && 'action' in picked);
    assert.equal(picked.action.title, 'Regenerate derivative of loss');
  });

  it('reports why when only a disabled action is there', () => {
    const picked = pickDerivativeAction([
      { title: 'Generate derivative of f', kind, disabled: { reason: "Cannot differentiate 'f': print" } },
    ]);
    assert.deepEqual(picked, { reason: "Cannot differentiate 'f': print" });
  });

  it('finds nothing in unrelated or quick-fix actions', () => {
    assert.equal(pickDerivativeAction([]), undefined);
    assert.equal(pickDerivativeAction([{ title: 'Generate derivative of f', kind: { value: 'quickfix' } }]), undefined);
  });
});
