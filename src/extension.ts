import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Services are wired in as they land.
}

export function deactivate(): void {}
