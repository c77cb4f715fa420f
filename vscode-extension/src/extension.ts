/**
 * Tangent for VS Code: a client of the tangent-lsp language server.
 *
 * Commands (palette and editor context menu):
 *   Tangent: Show Gradient     derivative of the function at the cursor, beside the editor
 *   Tangent: Insert Derivative runs the server's "Generate derivative" code action there
 *   Tangent: Restart Server
 *
 * The server's own commands (`tangent.showGradient`, `tangent.insertDerivative`,
 * used by its code lenses and hover links) are registered by
 * vscode-languageclient; the extension's commands use other ids.
 */

import * as vscode from 'vscode';
import { GradientDocuments } from './gradient';
import { pickDerivativeAction } from './lib/codeActions';
import { changeKind } from './lib/settings';
import { SHOW_INSTALL_HELP, ServerManager } from './server';

export const SHOW_GRADIENT = 'tangent.extension.showGradient';
export const INSERT_DERIVATIVE = 'tangent.extension.insertDerivative';
export const RESTART_SERVER = 'tangent.extension.restartServer';

let manager: ServerManager | undefined;

function pythonEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python' || editor.document.uri.scheme === 'tangent-gradient') {
    void vscode.window.showInformationMessage('Tangent: put the cursor inside a Python function first.');
    return undefined;
  }
  return editor;
}

async function insertDerivative(server: ServerManager): Promise<void> {
  const editor = pythonEditor();
  if (!editor || !(await server.ensure())) {
    return;
  }
  const position = editor.selection.active;
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      editor.document.uri,
      new vscode.Range(position, position),
      vscode.CodeActionKind.RefactorRewrite.value,
      20, // resolve the actions, so that each carries its edit
    )) ?? [];
  const picked = pickDerivativeAction(actions);
  if (!picked) {
    void vscode.window.showInformationMessage('Tangent: no differentiable function at the cursor.');
    return;
  }
  if ('reason' in picked) {
    void vscode.window.showWarningMessage(`Tangent: ${picked.reason}`);
    return;
  }
  const action = picked.action;
  if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) {
    void vscode.window.showWarningMessage(
      'Tangent: the derivative could not be inserted (the document changed meanwhile); try again.',
    );
    return;
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
  if (!action.edit && !action.command) {
    void vscode.window.showWarningMessage(`Tangent: "${action.title}" came without an edit.`);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Tangent', { log: true });
  const server = new ServerManager(output);
  manager = server;
  const gradients = new GradientDocuments(server);
  context.subscriptions.push(output, server, gradients);

  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_GRADIENT, async () => {
      const editor = pythonEditor();
      if (editor) {
        await gradients.show(editor);
      }
    }),
    vscode.commands.registerCommand(INSERT_DERIVATIVE, () => insertDerivative(server)),
    vscode.commands.registerCommand(RESTART_SERVER, async () => {
      const client = await server.restart();
      if (client) {
        void vscode.window.setStatusBarMessage('Tangent: server restarted', 3000);
      }
    }),
    vscode.commands.registerCommand(SHOW_INSTALL_HELP, () => server.showInstallHelp()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      switch (changeKind((section) => event.affectsConfiguration(section))) {
        case 'restart':
          void server.restart();
          break;
        case 'settings':
          void server.sendSettings();
          break;
        default:
          break;
      }
    }),
  );

  void server.ensure();
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}
