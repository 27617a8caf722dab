// The chat's data as the host keeps and stores it. Pure types: no `vscode`.

import type { AttachmentKind, MessageStatus } from '../protocol';

export interface LineRange {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

/** Context sent with a message: a file, a selection, the problems of a file, or plain text. */
export interface Attachment {
  id: string;
  kind: AttachmentKind;
  /** Chip text: "app.ts", "app.ts:10-20", "Problems in app.ts". */
  label: string;
  /** Path shown to the model: workspace-relative when the file is in the workspace. */
  path?: string;
  /** The document URI (string form), for de-duplication and for opening it. */
  uri?: string;
  languageId?: string;
  range?: LineRange;
  content: string;
  /** Characters cut off when it was captured (very large files). */
  truncatedChars?: number;
}

export interface StoredError {
  kind: string;
  message: string;
  model?: string;
}

export interface StoredStats {
  doneReason?: string;
  evalCount?: number;
  evalDurationNs?: number;
  totalDurationNs?: number;
  promptEvalCount?: number;
}

export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant';
  /** For an assistant: the answer without its `<think>` part, which is never sent back. */
  content: string;
  thinking?: string;
  attachments?: Attachment[];
  model?: string;
  status?: MessageStatus;
  error?: StoredError;
  notice?: string;
  stats?: StoredStats;
  createdAt: number;
}

export interface StoredConversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  model?: string;
  messages: StoredMessage[];
}

export interface HistoryFile {
  version: 1;
  conversations: StoredConversation[];
}
