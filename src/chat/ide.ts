// What the chat needs from the editor, as plain types. Implemented for VS Code in view.ts; tests
// implement it with plain objects.

import type { FileSnapshot, Problem, SelectionSnapshot } from './attachments';

export interface EditorState {
  file: FileSnapshot;
  /** Undefined when nothing is selected. */
  selection?: SelectionSnapshot;
}

export interface ChatIde {
  /** The text editor the user works in (the last focused one while the panel has focus). */
  activeEditor(): EditorState | undefined;
  /** Diagnostics of a document. */
  problems(uri: string): Problem[];
  /** Lets the user pick a workspace file (fuzzy quick pick); files the filter rejects are not offered. */
  pickFile(allowed: (file: { fsPath: string; relativePath?: string }) => boolean): Promise<FileSnapshot | undefined>;
  /** Proposes inserting at the cursor (replacing the selection) in a diff; the file changes on Accept. Returns an error sentence or undefined. */
  insertAtCursor(code: string): Promise<string | undefined>;
  /** Shows the change in a diff editor; the file changes only if the user accepts. */
  applyToFile(code: string, language: string | undefined): Promise<string | undefined>;
  newFile(code: string, language: string | undefined): Promise<string | undefined>;
  copy(text: string): Promise<void>;
  /** Opens a link after checking it (and asking before leaving the editor). */
  openLink(href: string): Promise<void>;
  /** Save dialog, then write. Returns the path written, or undefined when cancelled. */
  saveMarkdown(suggestedName: string, content: string): Promise<string | undefined>;
  askText(prompt: string, value: string): Promise<string | undefined>;
  confirm(message: string, action: string): Promise<boolean>;
  showWarning(message: string): void;
  showInfo(message: string): void;
  runCommand(command: string, ...args: unknown[]): Promise<void>;
  /** Shows the chat view (opening the side bar if needed). */
  revealView(preserveFocus: boolean): Promise<void>;
}
