/**
 * Starting, stopping and restarting the tangent-lsp language server.
 *
 * The interpreter is the `tangent.interpreter` setting, else the Python
 * extension's active environment, else `python3`. Before starting the server
 * the manager checks that `tangent_lsp` imports there; if not, it says so
 * with an action that explains how to install it.
 */

import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { ResponseError, ShowDocumentParams, ShowDocumentResult } from 'vscode-languageclient';
import {
  CheckOutcome,
  Interpreter,
  chooseInterpreter,
  classifyCheck,
  describeSource,
  importCheckArgs,
  installHelp,
  problemMessage,
  serverArgs,
  serverDirectory,
} from './lib/interpreter';
import { serverSettings } from './lib/settings';

export const SHOW_INSTALL_HELP = 'tangent.extension.showInstallHelp';
const CHECK_TIMEOUT_MS = 30_000;
const PYTHON_EXTENSION_ID = 'ms-python.python';
const HELP_SCHEME = 'tangent-help';

export type ShowDocumentHandler = (
  params: ShowDocumentParams,
  next: (params: ShowDocumentParams) => Promise<ShowDocumentResult>,
) => Promise<ShowDocumentResult>;

/** The Python extension's active interpreter for `resource`, if that extension is installed. */
async function pythonExtensionInterpreter(
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
  onChange: () => void,
  disposables: vscode.Disposable[],
): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
    return undefined;
  }
  try {
    const { PythonExtension } = await import('@vscode/python-extension');
    const api = await PythonExtension.api();
    if (disposables.length === 0) {
      disposables.push(api.environments.onDidChangeActiveEnvironmentPath(() => onChange()));
    }
    const envPath = api.environments.getActiveEnvironmentPath(resource);
    const env = await api.environments.resolveEnvironment(envPath);
    return env?.executable.uri?.fsPath ?? envPath.path;
  } catch (error) {
    log.warn(`could not ask the Python extension for its interpreter: ${String(error)}`);
    return undefined;
  }
}

function runCheck(command: string, cwd: string | undefined): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (outcome: CheckOutcome) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      }
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, importCheckArgs(), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      resolve(classifyCheck({ spawnError: code, code: null, stdout: '', stderr: '' }));
      return;
    }
    const timer = setTimeout(() => {
      child.kill();
      finish({ ok: false, reason: 'failed', detail: `no answer within ${CHECK_TIMEOUT_MS / 1000} s` });
    }, CHECK_TIMEOUT_MS);
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish(classifyCheck({ spawnError: error.code ?? error.message, code: null, stdout, stderr })),
    );
    child.on('close', (code) => finish(classifyCheck({ code, stdout, stderr })));
  });
}

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private lastInterpreter: Interpreter | undefined;
  private lastOutcome: CheckOutcome | undefined;
  private readonly pythonListeners: vscode.Disposable[] = [];
  private readonly startedEmitter = new vscode.EventEmitter<LanguageClient>();
  /** Fires each time a server has started (after a restart too). */
  readonly onDidStart = this.startedEmitter.event;
  showDocumentHandler: ShowDocumentHandler | undefined;
  private helpText = '';
  private helpProvider: vscode.Disposable | undefined;
  private readonly helpChanged = new vscode.EventEmitter<vscode.Uri>();

  constructor(readonly output: vscode.LogOutputChannel) {}

  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** The running client, starting the server first if needed; undefined if it cannot start. */
  async ensure(): Promise<LanguageClient | undefined> {
    if (this.running) {
      return this.running;
    }
    if (!this.starting) {
      this.starting = this.start().finally(() => (this.starting = undefined));
    }
    return this.starting;
  }

  async restart(): Promise<LanguageClient | undefined> {
    if (this.starting) {
      await this.starting;
    }
    await this.stop();
    this.output.info('restarting the tangent-lsp server');
    return this.ensure();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.output.warn(`stopping the server: ${String(error)}`);
      }
      await client.dispose().catch(() => undefined);
    }
  }

  /** Send the current settings to the running server. */
  async sendSettings(): Promise<void> {
    const client = this.running;
    if (!client) {
      return;
    }
    const settings = serverSettings(vscode.workspace.getConfiguration('tangent'));
    this.output.info(`settings: ${JSON.stringify(settings)}`);
    await client.sendNotification('workspace/didChangeConfiguration', { settings: { tangent: settings } });
  }

  /** Explain how to install tangent-lsp for the interpreter in use, in a read-only document. */
  async showInstallHelp(): Promise<void> {
    const interpreter = this.lastInterpreter ?? (await this.interpreter());
    this.helpText = installHelp(interpreter, this.lastOutcome);
    if (!this.helpProvider) {
      this.helpProvider = vscode.workspace.registerTextDocumentContentProvider(HELP_SCHEME, {
        onDidChange: this.helpChanged.event,
        provideTextDocumentContent: () => this.helpText,
      });
    }
    const uri = vscode.Uri.from({ scheme: HELP_SCHEME, path: '/Install tangent-lsp.md' });
    this.helpChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  private async interpreter(): Promise<Interpreter> {
    const config = vscode.workspace.getConfiguration('tangent');
    const folder = vscode.workspace.workspaceFolders?.[0];
    const resource = vscode.window.activeTextEditor?.document.uri ?? folder?.uri;
    const setting = config.get<string>('interpreter');
    const fromExtension = setting?.trim()
      ? undefined
      : await pythonExtensionInterpreter(
          resource,
          this.output,
          () => {
            if (!vscode.workspace.getConfiguration('tangent').get<string>('interpreter')?.trim()) {
              void this.restart();
            }
          },
          this.pythonListeners,
        );
    return chooseInterpreter({
      setting,
      pythonExtension: fromExtension,
      workspaceFolder: folder?.uri.fsPath,
      home: os.homedir(),
      fallback: process.platform === 'win32' ? 'python' : 'python3',
    });
  }

  private async start(): Promise<LanguageClient | undefined> {
    const interpreter = await this.interpreter();
    this.lastInterpreter = interpreter;
    const cwd = serverDirectory(__dirname);
    this.output.info(`interpreter: ${interpreter.command} (${describeSource(interpreter.source)})`);
    const outcome = await runCheck(interpreter.command, cwd);
    this.lastOutcome = outcome;
    if (!outcome.ok) {
      const message = problemMessage(interpreter, outcome);
      this.output.error(message);
      void vscode.window
        .showErrorMessage(message, 'How to Install', 'Open Settings', 'Show Output')
        .then((choice) => {
          if (choice === 'How to Install') {
            void vscode.commands.executeCommand(SHOW_INSTALL_HELP);
          } else if (choice === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', 'tangent.interpreter');
          } else if (choice === 'Show Output') {
            this.output.show(true);
          }
        });
      return undefined;
    }
    this.output.info(`tangent_lsp: ${outcome.location} (Python ${outcome.pythonVersion})`);

    const serverOptions: ServerOptions = {
      command: interpreter.command,
      args: serverArgs(),
      // No `transport`: TransportKind.stdio would append --stdio to the arguments.
      options: { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1' } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
      ],
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: serverSettings(vscode.workspace.getConfiguration('tangent')),
      // Hovers carry a "Show gradient" link that runs the server's command.
      markdown: { isTrusted: { enabledCommands: ['tangent.showGradient'] }, supportHtml: false },
      middleware: {
        window: {
          showDocument: async (params, token, next) => {
            const forward = async (p: ShowDocumentParams): Promise<ShowDocumentResult> => {
              const result = await next(p, token);
              return result instanceof ResponseError || !result ? { success: false } : result;
            };
            return this.showDocumentHandler ? this.showDocumentHandler(params, forward) : forward(params);
          },
        },
      },
    };
    const client = new LanguageClient('tangent', 'Tangent', serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.output.error(`the server did not start: ${String(error)}`);
      void vscode.window
        .showErrorMessage(`Tangent: the language server did not start: ${String(error)}`, 'Show Output')
        .then((choice) => choice && this.output.show(true));
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      return undefined;
    }
    this.output.info(`server started: ${interpreter.command} ${serverArgs().join(' ')}`);
    this.startedEmitter.fire(client);
    return client;
  }

  dispose(): void {
    void this.stop();
    this.startedEmitter.dispose();
    this.helpChanged.dispose();
    this.helpProvider?.dispose();
    for (const d of this.pythonListeners) {
      d.dispose();
    }
  }
}
