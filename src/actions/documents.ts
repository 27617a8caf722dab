// Whether a document can take an action's edit, and what to tell the user when it cannot. Pure.

export interface DocumentFacts {
  scheme: string;
  languageId: string;
  /** From workspace.fs.isWritableFileSystem: false for read-only file systems, undefined when unknown. */
  writable: boolean | undefined;
  /** The file matches qwenLocal.completion.exclude: its text never goes into a prompt. */
  excluded?: boolean;
}

const VIEW_SCHEMES = new Set(['output', 'debug', 'vscode-scm', 'git', 'gitfs', 'vscode-chat-code-block', 'walkThrough', 'walkThroughSnippet', 'comment', 'vscode-settings', 'qwen-local-proposal']);

/** Why the action cannot edit this document, or undefined when it can. */
export function unsupportedReason(doc: DocumentFacts, what: string): string | undefined {
  if (doc.scheme === 'output') return `${what} works on files. This is an output panel: click into a file in the editor and try again.`;
  if (doc.scheme === 'qwen-local-proposal') return `${what} cannot run on a proposal. Accept or reject it first, then run the command in the file.`;
  if (doc.languageId === 'scminput') return `${what} works on files. For the commit message box, use "Qwen Local: Write Commit Message".`;
  if (VIEW_SCHEMES.has(doc.scheme)) return `${what} cannot change this view (${doc.scheme}): it is read-only. Open the file itself and try again.`;
  if (doc.writable === false) return `${what} cannot change this file: it is on a read-only file system.`;
  if (doc.excluded) return `${what} is off for this file: it matches qwenLocal.completion.exclude, so its contents never go to the model.`;
  return undefined;
}
