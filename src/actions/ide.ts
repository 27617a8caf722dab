// What the actions need from the editor, as plain types. Implemented for VS Code in vscodeIde.ts;
// tests implement it with plain objects.

import type { Proposal } from './proposal';

export type Severity = 'info' | 'warning' | 'error';

export interface ActionsIde {
  /** Opens the proposal's diff editor (original ↔ proposed), whose right side follows the proposal. */
  showProposal(proposal: Proposal): Promise<void>;
  /** Runs `body` under a cancellable progress notification titled `title`; Cancel aborts `controller`. */
  withProgress<T>(title: string, controller: AbortController, body: () => Promise<T>): Promise<T>;
  /** A passing line in the status bar. */
  flash(text: string, ms: number): void;
  /** A notification; resolves to the button chosen (callers never wait for it to continue). */
  notify(severity: Severity, message: string, buttons?: readonly string[]): Promise<string | undefined>;
  runCommand(command: string, ...args: unknown[]): Promise<void>;
}
