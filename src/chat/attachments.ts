// Turning editor state into chat attachments, and the rule that excluded files never become one.
// Pure: the VS Code adapter passes plain snapshots.

import type { AttachmentView } from '../protocol';
import type { Attachment, LineRange } from './types';
import type { SeverityName } from '../workspace/diagnostics';
import { baseName, displayPath } from '../workspace/paths';

/** A file as the adapter describes it. */
export interface FileSnapshot {
  uri: string;
  /** File system path (or the untitled name). */
  fsPath: string;
  /** Path relative to its workspace folder; undefined outside the workspace. */
  relativePath?: string;
  languageId: string;
  text: string;
}

export interface SelectionSnapshot {
  /** 1-based, inclusive. */
  range: LineRange;
  text: string;
}

export interface Problem {
  /** 1-based. */
  line: number;
  column: number;
  severity: SeverityName;
  message: string;
  source?: string;
  code?: string;
}

/** Files larger than this are sent from the beginning only (the prompt budget would cut them anyway). */
export const MAX_ATTACHMENT_CHARS = 200_000;

export { baseName, displayPath } from '../workspace/paths';

function capped(text: string): { content: string; truncatedChars?: number } {
  if (text.length <= MAX_ATTACHMENT_CHARS) return { content: text };
  return { content: text.slice(0, MAX_ATTACHMENT_CHARS), truncatedChars: text.length - MAX_ATTACHMENT_CHARS };
}

/** Documents chat attaches by itself (current file, selection): the user's files, nothing else. */
export function autoAttachable(scheme: string): boolean {
  return scheme === 'file' || scheme === 'untitled';
}

export function fileAttachment(id: string, file: FileSnapshot): Attachment {
  return {
    id,
    kind: 'file',
    label: baseName(displayPath(file)),
    path: displayPath(file),
    uri: file.uri,
    languageId: file.languageId,
    ...capped(file.text),
  };
}

export function selectionAttachment(id: string, file: FileSnapshot, selection: SelectionSnapshot): Attachment {
  const { startLine, endLine } = selection.range;
  const lines = startLine === endLine ? `${startLine}` : `${startLine}-${endLine}`;
  return {
    id,
    kind: 'selection',
    label: `${baseName(displayPath(file))}:${lines}`,
    path: displayPath(file),
    uri: file.uri,
    languageId: file.languageId,
    range: { startLine, endLine },
    ...capped(selection.text),
  };
}

/** The problems of one file, each with its line of code so the model needs no line numbers. */
export function problemsAttachment(id: string, file: FileSnapshot, problems: readonly Problem[]): Attachment {
  const lines = file.text.split('\n');
  const order = { error: 0, warning: 1, info: 2, hint: 3 };
  const sorted = [...problems].sort((a, b) => order[a.severity] - order[b.severity] || a.line - b.line);
  const content =
    sorted.length === 0
      ? 'No problems reported.'
      : sorted
          .slice(0, 50)
          .map((p) => {
            const origin = p.source ? ` (${p.source}${p.code ? ` ${p.code}` : ''})` : '';
            const code = (lines[p.line - 1] ?? '').trim();
            return `- line ${p.line}:${p.column} ${p.severity}: ${p.message}${origin}${code ? `\n  \`${code.replace(/`/g, "'")}\`` : ''}`;
          })
          .join('\n');
  return {
    id,
    kind: 'problems',
    label: `Problems in ${baseName(displayPath(file))}`,
    path: displayPath(file),
    uri: file.uri,
    content,
  };
}

/** What a chip shows. */
export function attachmentView(a: Attachment, estimate: (t: string) => number, extra: Partial<AttachmentView> = {}): AttachmentView {
  const detail =
    a.kind === 'selection' && a.range
      ? `${a.path ?? a.label}, lines ${a.range.startLine}-${a.range.endLine}`
      : a.kind === 'problems'
        ? `${(a.content.match(/^- /gm) ?? []).length} problem(s) in ${a.path ?? a.label}`
        : (a.path ?? a.label);
  return { id: a.id, kind: a.kind, label: a.label, detail, enabled: true, tokens: estimate(a.content), ...extra };
}
