/** The `tangent.*` settings as the language server expects them. No `vscode` import. */

export interface ServerSettings {
  mode: 'reverse' | 'forward';
  optimize: boolean;
  codeLens: boolean;
  timeBudgetMs: number;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  mode: 'reverse',
  optimize: true,
  codeLens: true,
  timeBudgetMs: 5000,
};

/** A getter over a configuration section (vscode.WorkspaceConfiguration fits). */
export interface ConfigLike {
  get<T>(key: string): T | undefined;
}

/** The settings sent as initializationOptions and in workspace/didChangeConfiguration. */
export function serverSettings(config: ConfigLike): ServerSettings {
  const mode = config.get<string>('mode');
  const optimize = config.get<boolean>('optimize');
  const codeLens = config.get<boolean>('codeLens');
  const budget = config.get<number>('timeBudgetMs');
  return {
    mode: mode === 'forward' || mode === 'reverse' ? mode : DEFAULT_SETTINGS.mode,
    optimize: typeof optimize === 'boolean' ? optimize : DEFAULT_SETTINGS.optimize,
    codeLens: typeof codeLens === 'boolean' ? codeLens : DEFAULT_SETTINGS.codeLens,
    timeBudgetMs:
      typeof budget === 'number' && Number.isFinite(budget) && budget > 0
        ? Math.round(budget)
        : DEFAULT_SETTINGS.timeBudgetMs,
  };
}

/** What a configuration change asks for: a restart (new interpreter) or just new settings. */
export function changeKind(affects: (section: string) => boolean): 'restart' | 'settings' | 'none' {
  if (affects('tangent.interpreter')) {
    return 'restart';
  }
  if (affects('tangent')) {
    return 'settings';
  }
  return 'none';
}
