/**
 * Choosing the "Generate derivative" code action for Tangent: Insert
 * Derivative. No `vscode` import; works on anything with a title, kind and
 * isPreferred, like vscode.CodeAction.
 */

export interface ActionLike {
  title: string;
  kind?: { value: string } | string;
  isPreferred?: boolean;
  disabled?: { reason: string };
}

function kindValue(kind: ActionLike['kind']): string {
  if (kind === undefined) {
    return '';
  }
  return typeof kind === 'string' ? kind : kind.value;
}

const DERIVATIVE_TITLE = /^(Generate|Regenerate) derivative of /;

export function isDerivativeAction(action: ActionLike): boolean {
  const kind = kindValue(action.kind);
  return DERIVATIVE_TITLE.test(action.title) && (kind === '' || kind.startsWith('refactor'));
}

/**
 * The action to run: the preferred enabled derivative action (Tangent's
 * default, w.r.t. the first argument), else the first enabled one. When
 * there are only disabled ones, the reason of the first.
 */
export function pickDerivativeAction<T extends ActionLike>(
  actions: readonly T[],
): { action: T } | { reason: string } | undefined {
  const candidates = actions.filter(isDerivativeAction);
  const enabled = candidates.filter((a) => !a.disabled);
  const chosen = enabled.find((a) => a.isPreferred) ?? enabled[0];
  if (chosen) {
    return { action: chosen };
  }
  const disabled = candidates.find((a) => a.disabled);
  return disabled ? { reason: disabled.disabled!.reason } : undefined;
}
