/**
 * "Show Gradient": the derivative of the function at the cursor as a
 * read-only Python document beside the editor, updated as the function is
 * edited.
 *
 * The document's URI comes from the server's `tangent/gradient` request
 * (scheme `tangent-gradient`). Its content comes from the server's
 * `workspace/textDocumentContent` when the server offers it
 * (vscode-languageclient then registers the content provider itself), else
 * from a provider here that asks `tangent/gradient` again. Either way, edits
 * to the source document refresh the open gradient documents after a short
 * quiet period; the server also refreshes them on its own when it can.
 */

import * as vscode from 'vscode';
import type { LanguageClient, ShowDocumentParams, ShowDocumentResult } from 'vscode-languageclient/node';
import { KeyedDebouncer } from './lib/debounce';
import {
  GRADIENT_SCHEME,
  GradientRegistry,
  GradientTarget,
  findFunctionLine,
  isGradientUri,
  parseGradientUri,
} from './lib/gradientUri';
import type { ServerManager } from './server';

export const GRADIENT_REQUEST = 'tangent/gradient';
const CONTENT_METHOD = 'workspace/textDocumentContent';
const REFRESH_DELAY_MS = 400;

export interface GradientResult {
  uri: string;
  code: string | null;
  sourceMap?: Record<string, number[]>;
  name?: string;
  function?: string;
  wrt?: string[];
  mode?: 'reverse' | 'forward';
  error?: string;
}

interface ContentFeature {
  getProviders(): { scheme: string; onDidChangeEmitter: vscode.EventEmitter<vscode.Uri> }[];
}

function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

export class GradientDocuments implements vscode.Disposable {
  private readonly registry = new GradientRegistry();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  private ownProvider: vscode.Disposable | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly debouncer = new KeyedDebouncer<string>(REFRESH_DELAY_MS, (source) => this.refresh(source));

  constructor(private readonly server: ServerManager) {
    this.disposables.push(
      this.emitter,
      server.onDidStart((client) => this.serverStarted(client)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        const source = event.document.uri.toString();
        if (event.contentChanges.length && this.registry.hasSource(source)) {
          this.debouncer.trigger(source);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === GRADIENT_SCHEME) {
          this.registry.remove(doc.uri.toString());
        }
      }),
    );
    server.showDocumentHandler = (params, next) => this.showDocument(params, next);
  }

  /** Show the derivative of the function at the cursor of `editor`, beside it. */
  async show(editor: vscode.TextEditor): Promise<void> {
    const client = await this.server.ensure();
    if (!client) {
      return; // the server manager has already said why
    }
    const document = editor.document;
    const position = editor.selection.active;
    let result: GradientResult;
    try {
      result = await client.sendRequest<GradientResult>(GRADIENT_REQUEST, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
        position: { line: position.line, character: position.character },
      });
    } catch (error) {
      void vscode.window.showWarningMessage(`Tangent: ${errorMessage(error)}`);
      return;
    }
    if (!result || typeof result.uri !== 'string' || !isGradientUri(result.uri)) {
      void vscode.window.showWarningMessage('Tangent: no derivative for the function at the cursor.');
      return;
    }
    if (result.error) {
      void vscode.window.showWarningMessage(`Tangent: ${result.error}`);
    }
    const target = this.targetOf(result, document.uri.toString());
    await this.open(result.uri, target);
  }

  private targetOf(result: GradientResult, sourceUri: string): GradientTarget {
    const parsed = parseGradientUri(result.uri);
    if (parsed) {
      return parsed;
    }
    return {
      sourceUri,
      function: result.function ?? (result.name ?? '').replace(/^d/, '').replace(/_d.*$/, ''),
      mode: result.mode ?? 'reverse',
      wrt: result.wrt ?? [],
    };
  }

  private async open(uri: string, target: GradientTarget | undefined): Promise<void> {
    const vsUri = vscode.Uri.parse(uri);
    if (target) {
      this.registry.add(vsUri.toString(), target);
    }
    const doc = await vscode.workspace.openTextDocument(vsUri);
    if (doc.languageId !== 'python') {
      await vscode.languages.setTextDocumentLanguage(doc, 'python');
    }
    await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: false,
      preserveFocus: true,
    });
  }

  /** The server asks to show a document (its Show gradient command, a code lens, a hover link). */
  private async showDocument(
    params: ShowDocumentParams,
    next: (params: ShowDocumentParams) => Promise<ShowDocumentResult>,
  ): Promise<ShowDocumentResult> {
    if (!isGradientUri(params.uri)) {
      return next(params);
    }
    try {
      await this.open(params.uri, parseGradientUri(params.uri));
      return { success: true };
    } catch (error) {
      this.server.output.warn(`showing ${params.uri}: ${errorMessage(error)}`);
      return { success: false };
    }
  }

  private serverStarted(client: LanguageClient): void {
    const offered = client.initializeResult?.capabilities.workspace?.textDocumentContent;
    if (offered) {
      // vscode-languageclient registered a provider for the server's schemes.
      this.ownProvider?.dispose();
      this.ownProvider = undefined;
      this.server.output.info('gradient documents: served by the language server (workspace/textDocumentContent)');
    } else if (!this.ownProvider) {
      this.ownProvider = vscode.workspace.registerTextDocumentContentProvider(GRADIENT_SCHEME, {
        onDidChange: this.emitter.event,
        provideTextDocumentContent: (uri, token) => this.provide(uri, token),
      });
      this.server.output.info('gradient documents: served by the extension (tangent/gradient)');
    }
    // A restarted server knows nothing of the documents shown before: reload them.
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === GRADIENT_SCHEME) {
        this.fire(doc.uri);
      }
    }
  }

  /** Content for a gradient document when the server does not serve it itself. */
  private async provide(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const target = this.registry.get(uri.toString()) ?? parseGradientUri(uri.toString());
    if (!target) {
      return `# Tangent: not a gradient document: ${uri.toString()}\n`;
    }
    const client = await this.server.ensure();
    if (!client) {
      return '# Tangent: the language server is not running (see the Tangent output).\n';
    }
    const source = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.sourceUri);
    const line = source ? findFunctionLine(source.getText(), target.function) : undefined;
    if (line === undefined) {
      return `# Tangent: no function '${target.function}' in ${target.sourceUri}\n`;
    }
    try {
      const result = await client.sendRequest<GradientResult>(
        GRADIENT_REQUEST,
        {
          textDocument: { uri: target.sourceUri },
          position: { line, character: 0 },
          function: target.function,
          wrt: target.wrt,
          mode: target.mode,
        },
        token,
      );
      return result?.code ?? `# Tangent: ${result?.error ?? 'no derivative'}\n`;
    } catch (error) {
      return `# Tangent: ${errorMessage(error)}\n`;
    }
  }

  /** Reload the gradient documents of `sourceUri`. */
  private refresh(sourceUri: string): void {
    for (const uri of this.registry.forSource(sourceUri)) {
      this.fire(vscode.Uri.parse(uri));
    }
  }

  private fire(uri: vscode.Uri): void {
    if (this.ownProvider) {
      this.emitter.fire(uri);
      return;
    }
    const client = this.server.running;
    const feature = (client as unknown as { getFeature(method: string): ContentFeature | undefined } | undefined)
      ?.getFeature(CONTENT_METHOD);
    for (const provider of feature?.getProviders() ?? []) {
      if (provider.scheme === uri.scheme) {
        provider.onDidChangeEmitter.fire(uri);
      }
    }
  }

  dispose(): void {
    this.debouncer.dispose();
    this.ownProvider?.dispose();
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}
