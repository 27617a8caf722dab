// The one toast of an incident that ends by itself ("Ollama is not reachable", "needs an API key").
// VS Code cannot close a message toast from code, so a stale "not running" would stay beside
// "connected": this one is a notification with progress, which VS Code removes when its task ends,
// i.e. when the incident ends. Its actions are links in the message.

import * as vscode from 'vscode';

const INSTALL_URL = 'https://ollama.com/download';

/** The message of the incident toast, with its actions as command links. */
export function incidentToastMessage(message: string, ollama = true): string {
  const settings = `command:workbench.action.openSettings?${encodeURIComponent(JSON.stringify([ollama ? 'qwenLocal.ollamaHost' : 'qwenLocal.server.url']))}`;
  // A team server is not installed from here: the doctor says what is wrong with it instead.
  const last = ollama ? `[Install Ollama](${INSTALL_URL})` : '[Connection Doctor](command:qwenLocal.connectionDoctor)';
  return `${message} [Retry](command:qwenLocal.retryConnection) · [Open Settings](${settings}) · ${last}`;
}

/** The message of a refused API key's toast: set the key, or ask the doctor. */
export function keyToastMessage(message: string): string {
  // The message already names the command; the link does what it says.
  return `${message} [Set API Key](command:qwenLocal.setApiKey) · [Connection Doctor](command:qwenLocal.connectionDoctor)`;
}

export class IncidentToast implements vscode.Disposable {
  private current: { report(message: string): void; end(): void } | undefined;

  /** Shows the incident's toast, or updates the one already shown (never a second one). */
  show(message: string, ollama = true): void {
    this.showText(incidentToastMessage(message, ollama));
  }

  /** The same, with the whole text (and its links) given. */
  showText(text: string): void {
    if (this.current) {
      this.current.report(text);
      return;
    }
    let end: () => void = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    let report: (m: string) => void = () => {};
    const toast = {
      report: (m: string) => report(m),
      end: () => end(),
    };
    this.current = toast;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Qwen Local', cancellable: true }, (progress, token) => {
      report = (m) => progress.report({ message: m });
      report(text);
      // Cancel is the person closing it: the incident goes on (the status bar says so) without a toast.
      token.onCancellationRequested(() => end());
      return ended;
    }).then(() => {
      if (this.current === toast) this.current = undefined;
    });
  }

  /** The incident ended: the toast goes away. */
  end(): void {
    this.current?.end();
    this.current = undefined;
  }

  get showing(): boolean {
    return this.current !== undefined;
  }

  dispose(): void {
    this.end();
  }
}
