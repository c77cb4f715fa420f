/**
 * URIs of "Show Gradient" documents, and the bookkeeping that maps source
 * documents to the gradient documents shown for them. No `vscode` import.
 *
 *     tangent-gradient:/<source URI, base64url>/<function>/<mode>/<wrt,...|->/d<function>.py
 *
 * The same layout as the language server's (tangent_lsp/server/uris.py), so a
 * URI built here and one returned by `tangent/gradient` name the same
 * document. base64url keeps the source URI intact: VS Code decodes and
 * re-encodes URI paths (`%2F` becomes `/`) and percent-encodes `=` and `&` in
 * queries, and base64url has none of those characters. The last segment
 * (`dloss.py`) is the tab title and makes VS Code treat the document as Python.
 */

export const GRADIENT_SCHEME = 'tangent-gradient';

export type Mode = 'reverse' | 'forward';

export interface GradientTarget {
  sourceUri: string;
  function: string;
  mode: Mode;
  wrt: string[];
}

function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',');
}

export function buildGradientUri(target: GradientTarget): string {
  const source = Buffer.from(target.sourceUri, 'utf8').toString('base64url');
  const wrt = target.wrt.length ? target.wrt.join(',') : '-';
  const parts = [source, target.function, target.mode, wrt, `d${target.function}.py`];
  return `${GRADIENT_SCHEME}:/` + parts.map(encodeSegment).join('/');
}

/** The target a gradient URI stands for, or undefined if it is not one. */
export function parseGradientUri(uri: string): GradientTarget | undefined {
  const colon = uri.indexOf(':');
  if (colon < 0 || uri.slice(0, colon).toLowerCase() !== GRADIENT_SCHEME) {
    return undefined;
  }
  const rest = uri.slice(colon + 1).split('#', 1)[0].split('?', 1)[0].replace(/^\/+/, '');
  let parts: string[];
  try {
    parts = rest.split('/').map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  if (parts.length !== 5) {
    return undefined;
  }
  const [source, fn, mode, wrt] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(source) || !fn || (mode !== 'reverse' && mode !== 'forward')) {
    return undefined;
  }
  const sourceUri = Buffer.from(source, 'base64url').toString('utf8');
  if (!sourceUri.includes(':')) {
    return undefined;
  }
  return {
    sourceUri,
    function: fn,
    mode,
    wrt: wrt.split(',').filter((w) => w && w !== '-'),
  };
}

export function isGradientUri(uri: string): boolean {
  return uri.toLowerCase().startsWith(GRADIENT_SCHEME + ':');
}

/**
 * The 0-based line of `def name(` at the top level of `text`, else of any
 * `def name(` (a method or nested function), else undefined. Used to ask the
 * server for a function's derivative by position after the text moved.
 */
export function findFunctionLine(text: string, name: string): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^(\\s*)(?:async\\s+)?def\\s+${escaped}\\s*\\(`);
  const lines = text.split(/\r\n|\r|\n/);
  let nested: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const match = pattern.exec(lines[i]);
    if (!match) {
      continue;
    }
    if (match[1].length === 0) {
      return i;
    }
    nested ??= i;
  }
  return nested;
}

/**
 * Which gradient documents belong to which source document: the source URI
 * of an open gradient document decides which edits refresh it.
 */
export class GradientRegistry {
  private readonly bySource = new Map<string, Set<string>>();
  private readonly targets = new Map<string, GradientTarget>();

  add(gradientUri: string, target: GradientTarget): void {
    this.remove(gradientUri);
    this.targets.set(gradientUri, target);
    let set = this.bySource.get(target.sourceUri);
    if (!set) {
      set = new Set();
      this.bySource.set(target.sourceUri, set);
    }
    set.add(gradientUri);
  }

  remove(gradientUri: string): void {
    const target = this.targets.get(gradientUri);
    if (!target) {
      return;
    }
    this.targets.delete(gradientUri);
    const set = this.bySource.get(target.sourceUri);
    set?.delete(gradientUri);
    if (set && set.size === 0) {
      this.bySource.delete(target.sourceUri);
    }
  }

  get(gradientUri: string): GradientTarget | undefined {
    return this.targets.get(gradientUri);
  }

  /** Gradient documents shown for `sourceUri`. */
  forSource(sourceUri: string): string[] {
    return [...(this.bySource.get(sourceUri) ?? [])];
  }

  hasSource(sourceUri: string): boolean {
    return this.bySource.has(sourceUri);
  }

  get size(): number {
    return this.targets.size;
  }
}
