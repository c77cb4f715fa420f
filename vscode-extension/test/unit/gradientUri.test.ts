import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GRADIENT_SCHEME,
  GradientRegistry,
  buildGradientUri,
  findFunctionLine,
  isGradientUri,
  parseGradientUri,
} from '../../src/lib/gradientUri';

const target = {
  sourceUri: 'file:///home/me/my%20project/model.py',
  function: 'loss',
  mode: 'reverse' as const,
  wrt: ['W'],
};

describe('gradient URIs', () => {
  it('round-trip', () => {
    const uri = buildGradientUri(target);
    assert.ok(uri.startsWith(`${GRADIENT_SCHEME}:/`));
    assert.ok(uri.endsWith('/dloss.py'), uri);
    assert.deepEqual(parseGradientUri(uri), target);
  });

  it("use the language server's layout", () => {
    // tangent_lsp/server/uris.py: base64url(source)/function/mode/wrt/d<function>.py
    const uri = buildGradientUri({ sourceUri: 'file:///tmp/m.py', function: 'f', mode: 'forward', wrt: ['a', 'b'] });
    assert.equal(uri, 'tangent-gradient:/ZmlsZTovLy90bXAvbS5weQ/f/forward/a,b/df.py');
    const none = buildGradientUri({ sourceUri: 'file:///tmp/m.py', function: 'f', mode: 'reverse', wrt: [] });
    assert.equal(none, 'tangent-gradient:/ZmlsZTovLy90bXAvbS5weQ/f/reverse/-/df.py');
    assert.deepEqual(parseGradientUri(none)?.wrt, []);
  });

  it('keep source URIs with characters VS Code re-encodes', () => {
    for (const sourceUri of [
      'file:///a/b%2Fc/d.py',
      'untitled:Untitled-1',
      'file:///c%3A/Users/x/m.py',
      'file:///t/ü ñ/m.py?x=1&y=2',
    ]) {
      const uri = buildGradientUri({ ...target, sourceUri });
      assert.doesNotMatch(uri.slice(GRADIENT_SCHEME.length + 2), /[=&?#%]/);
      assert.equal(parseGradientUri(uri)?.sourceUri, sourceUri);
    }
  });

  it('survive a decode/re-encode of the path by the editor', () => {
    const uri = buildGradientUri({ ...target, wrt: ['W', 'b'] });
    const reencoded = uri.replace(',', '%2C');
    assert.deepEqual(parseGradientUri(reencoded)?.wrt, ['W', 'b']);
  });

  it('reject other URIs', () => {
    assert.equal(parseGradientUri('file:///x/y.py'), undefined);
    assert.equal(parseGradientUri('tangent-gradient:/only/three/parts'), undefined);
    assert.equal(parseGradientUri('tangent-gradient:/ZmlsZTovLy90bXAvbS5weQ/f/sideways/-/df.py'), undefined);
    assert.equal(parseGradientUri('tangent-gradient:/!!!/f/reverse/-/df.py'), undefined);
    assert.ok(isGradientUri('Tangent-Gradient:/x'));
    assert.ok(!isGradientUri('file:///tangent-gradient'));
  });
});

describe('findFunctionLine', () => {
  const text = [
    'import numpy as np',
    '',
    'class Model:',
    '    def loss(self, x):',
    '        return x',
    '',
    'def loss(W, b):',
    '    return np.sum(W)',
    '',
    'async def step(x):',
    '    return x',
  ].join('\n');

  it('prefers the top-level def', () => {
    assert.equal(findFunctionLine(text, 'loss'), 6);
  });

  it('finds async and nested functions, and nothing else', () => {
    assert.equal(findFunctionLine(text, 'step'), 9);
    assert.equal(findFunctionLine('class A:\n    def f(self):\n        pass\n', 'f'), 1);
    assert.equal(findFunctionLine(text, 'los'), undefined);
    assert.equal(findFunctionLine('loss = 1\n# def loss(x)\n', 'loss'), undefined);
  });

  it('handles CRLF text', () => {
    assert.equal(findFunctionLine('x = 1\r\ndef f(a):\r\n    return a\r\n', 'f'), 1);
  });
});

describe('GradientRegistry', () => {
  it('maps source documents to their gradient documents', () => {
    const registry = new GradientRegistry();
    const a = buildGradientUri(target);
    const b = buildGradientUri({ ...target, wrt: ['b'] });
    const other = buildGradientUri({ ...target, sourceUri: 'file:///other.py' });
    registry.add(a, target);
    registry.add(b, { ...target, wrt: ['b'] });
    registry.add(other, { ...target, sourceUri: 'file:///other.py' });
    assert.deepEqual(registry.forSource(target.sourceUri).sort(), [a, b].sort());
    assert.equal(registry.size, 3);
    registry.remove(a);
    registry.remove(b);
    assert.equal(registry.hasSource(target.sourceUri), false);
    assert.deepEqual(registry.forSource('file:///other.py'), [other]);
    registry.remove('tangent-gradient:/never-added');
    assert.equal(registry.size, 1);
  });

  it('moves a gradient document when it is added again for another source', () => {
    const registry = new GradientRegistry();
    const uri = buildGradientUri(target);
    registry.add(uri, target);
    registry.add(uri, { ...target, sourceUri: 'file:///moved.py' });
    assert.deepEqual(registry.forSource(target.sourceUri), []);
    assert.deepEqual(registry.forSource('file:///moved.py'), [uri]);
  });
});
