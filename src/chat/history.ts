// The chat history of one workspace: one JSON file, replaced atomically, bounded in size.
// Pure Node: no `vscode` (the adapter passes the storage folder).
//
// - Writes go through writeFileAtomic (temp file + fsync + rename): a crash keeps the previous file.
// - Writes are serialized and coalesced: at most one in flight, and one more queued with the latest data.
// - The file is kept under `maxBytes` and `maxConversations` by dropping the least recently updated
//   conversations first.
// - A file that cannot be read as a history is renamed `<name>.corrupt-<time>` (kept for the user),
//   the user is warned, and a fresh history starts. Loading never throws for bad content.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ConversationSummary, MessageStatus } from '../protocol';
import { removeStaleTemps, writeFileAtomic, type AtomicWriteHooks } from './atomicFile';
import type { Attachment, HistoryFile, StoredConversation, StoredMessage } from './types';

export const HISTORY_FILE = 'chat-history.json';
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_CONVERSATIONS = 200;
/** Set-aside copies of a broken history kept (the newest ones). */
export const MAX_SET_ASIDE = 3;
export const SHORTENED_NOTE = '\n\n[Shortened to fit the chat history size limit.]';

export interface HistoryOptions {
  /** Folder of the file (created when missing). */
  dir: string;
  fileName?: string;
  maxBytes?: number;
  maxConversations?: number;
  /** A file larger than this is set aside without being read (default: four times maxBytes). */
  maxReadBytes?: number;
  /** Tells the user something went wrong with their history (a corrupt file was set aside). */
  warn(message: string): void;
  /** Logs failures of background writes. */
  logError?(message: string, error: unknown): void;
  now?(): number;
  hooks?: AtomicWriteHooks;
}

export class HistoryStore {
  private readonly conversations = new Map<string, StoredConversation>();
  private readonly file: string;
  private readonly maxBytes: number;
  private readonly maxConversations: number;
  private readonly maxReadBytes: number;
  /** The last write started or queued; writes run one after another. */
  private chain: Promise<void> = Promise.resolve();
  /** A write queued behind the one in flight, not started yet. */
  private queued: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  private constructor(private readonly options: HistoryOptions) {
    this.file = path.join(options.dir, options.fileName ?? HISTORY_FILE);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxConversations = options.maxConversations ?? DEFAULT_MAX_CONVERSATIONS;
    this.maxReadBytes = options.maxReadBytes ?? Math.max(4 * this.maxBytes, 1024 * 1024);
  }

  /** Loads the history (or starts an empty one). Never throws for a missing or corrupt file. */
  static async open(options: HistoryOptions): Promise<HistoryStore> {
    const store = new HistoryStore(options);
    await store.load();
    return store;
  }

  get path(): string {
    return this.file;
  }

  /** Most recently updated first. */
  list(): ConversationSummary[] {
    return [...this.conversations.values()]
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((c) => ({ id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length }));
  }

  get(id: string): StoredConversation | undefined {
    return this.conversations.get(id);
  }

  /** Stores (or replaces) a conversation; call save() or scheduleSave() to write it. */
  put(conversation: StoredConversation): void {
    this.conversations.set(conversation.id, conversation);
  }

  delete(id: string): boolean {
    return this.conversations.delete(id);
  }

  /** Writes soon, at most once per `delayMs` (used while an answer streams). */
  scheduleSave(delayMs: number): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save().catch((error: unknown) => this.options.logError?.('Could not save the chat history', error));
    }, delayMs);
  }

  /** Writes the current state now; resolves when a write containing it is on disk. */
  save(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // A write that has not started yet serializes the state when it starts: it covers this call too.
    if (this.queued) return this.queued;
    const run = this.chain
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.writeNow();
      });
    this.queued = run;
    this.chain = run;
    return run;
  }

  /** Flushes pending writes; later puts are kept in memory only. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) await this.save().catch(() => undefined);
    await this.chain.catch(() => undefined);
  }

  private async writeNow(): Promise<void> {
    this.enforceBounds();
    let text = JSON.stringify({ version: 1, conversations: [...this.conversations.values()] } satisfies HistoryFile);
    if (byteLength(text) > this.maxBytes) {
      // One exchange alone is too big: the file gets a shortened copy; memory keeps it whole.
      const conversations = [...this.conversations.values()].map((c) => shortenToFit(c, this.maxBytes));
      text = JSON.stringify({ version: 1, conversations } satisfies HistoryFile);
    }
    await fs.mkdir(this.options.dir, { recursive: true });
    await writeFileAtomic(this.file, text, this.options.hooks);
  }

  /** Drops the least recently updated conversations until the file fits. */
  private enforceBounds(): void {
    const byAge = [...this.conversations.values()].sort((a, b) => a.updatedAt - b.updatedAt);
    while (byAge.length > this.maxConversations) this.conversations.delete(byAge.shift()!.id);
    let size = byteLength(JSON.stringify({ version: 1, conversations: byAge }));
    while (size > this.maxBytes && byAge.length > 1) {
      const oldest = byAge.shift()!;
      this.conversations.delete(oldest.id);
      size -= byteLength(JSON.stringify(oldest)) + 1;
    }
    // One conversation alone too big: drop its oldest messages, keeping the latest exchange.
    const last = byAge[0];
    while (last && size > this.maxBytes && last.messages.length > 2) {
      const dropped = last.messages.shift()!;
      size -= byteLength(JSON.stringify(dropped)) + 1;
    }
  }

  private async load(): Promise<void> {
    await removeStaleTemps(this.file);
    let text: string;
    try {
      // Never read more than a history can be: a huge file (another program, a bug) is set aside unread.
      const { size } = await fs.stat(this.file);
      if (size > this.maxReadBytes) {
        await this.setAside(`is too large to load (${Math.round(size / 1024 / 1024)} MB)`);
        return;
      }
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      // Unreadable (permissions, a folder in its place): set aside like a corrupt file.
      await this.setAside(`could not be read (${(error as Error).message})`);
      return;
    }
    const parsed = parseHistory(text);
    if (!parsed.ok) {
      await this.setAside(parsed.reason);
      return;
    }
    for (const conversation of parsed.conversations) this.conversations.set(conversation.id, conversation);
    if (parsed.dropped > 0) {
      // Keep the readable part, and the original file for the user, then write the clean version.
      await this.setAside(`had ${parsed.dropped} unreadable conversation(s); the others were kept`, true);
      await this.save().catch((error: unknown) => this.options.logError?.('Could not save the chat history', error));
    }
  }

  private async setAside(reason: string, keepCopy = false): Promise<void> {
    const stamp = new Date(this.options.now?.() ?? Date.now()).toISOString().replace(/[:.]/g, '-');
    const aside = `${this.file}.corrupt-${stamp}`;
    try {
      if (keepCopy) await fs.copyFile(this.file, aside);
      else await fs.rename(this.file, aside);
      this.options.warn(`The chat history ${reason}. It was set aside as ${path.basename(aside)} and a new history was started.`);
    } catch (error) {
      this.options.warn(`The chat history ${reason}, and could not be set aside (${(error as Error).message}). A new history was started.`);
    }
    await this.pruneSetAside();
  }

  /** Keeps the newest few set-aside copies: a history that keeps breaking must not fill the disk. */
  private async pruneSetAside(): Promise<void> {
    const prefix = `${path.basename(this.file)}.corrupt-`;
    try {
      const copies = (await fs.readdir(this.options.dir)).filter((n) => n.startsWith(prefix)).sort();
      for (const name of copies.slice(0, Math.max(0, copies.length - MAX_SET_ASIDE))) {
        await fs.rm(path.join(this.options.dir, name), { force: true });
      }
    } catch (error) {
      this.options.logError?.('Could not remove old copies of the chat history', error);
    }
  }
}

/**
 * A copy of `conversation` that fits `maxBytes`, shortening its largest texts (thinking first,
 * then attached contents, then the messages themselves, each keeping its beginning).
 */
export function shortenToFit(conversation: StoredConversation, maxBytes: number): StoredConversation {
  const copy: StoredConversation = { ...conversation, messages: conversation.messages.map((m) => ({ ...m, ...(m.attachments ? { attachments: m.attachments.map((a) => ({ ...a })) } : {}) })) };
  let excess = byteLength(JSON.stringify(copy)) - maxBytes;
  if (excess <= 0) return conversation;
  for (const m of copy.messages) {
    if (excess <= 0) break;
    if (m.thinking) {
      excess -= byteLength(JSON.stringify(m.thinking));
      delete m.thinking;
    }
  }
  type Field = { size: number; cut(chars: number): void };
  const fields: Field[] = [];
  for (const m of copy.messages) {
    for (const a of m.attachments ?? []) {
      fields.push({ size: a.content.length, cut: (n) => ((a.truncatedChars = (a.truncatedChars ?? 0) + n), (a.content = a.content.slice(0, a.content.length - n))) });
    }
    fields.push({ size: m.content.length, cut: (n) => (m.content = m.content.slice(0, m.content.length - n) + SHORTENED_NOTE) });
  }
  // Every field keeps at most the same number of characters, chosen so the whole fits: each
  // character removed frees at least one byte of JSON, each cut adds a note.
  const total = fields.reduce((n, f) => n + f.size, 0);
  let allowed = Math.max(0, total - excess - fields.length * (SHORTENED_NOTE.length + 16));
  let cap = 0;
  const sizes = fields.map((f) => f.size).sort((a, b) => a - b);
  for (let i = 0; i < sizes.length; i++) {
    const share = Math.floor(allowed / (sizes.length - i));
    if (sizes[i] >= share) {
      cap = share;
      break;
    }
    allowed -= sizes[i];
    cap = sizes[i];
  }
  for (const field of fields) if (field.size > cap) field.cut(field.size - cap);
  return copy;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

type ParseResult = { ok: true; conversations: StoredConversation[]; dropped: number } | { ok: false; reason: string };

/** Reads a history file's text; tolerant of single bad conversations, strict about the envelope. */
export function parseHistory(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'is not valid JSON (a write may have been cut off)' };
  }
  if (!isRecord(data) || data.version !== 1 || !Array.isArray(data.conversations)) {
    return { ok: false, reason: 'is not in a format this version of Qwen Local reads' };
  }
  const conversations: StoredConversation[] = [];
  let dropped = 0;
  const seen = new Set<string>();
  for (const item of data.conversations) {
    const conversation = readConversation(item);
    if (conversation && !seen.has(conversation.id)) {
      seen.add(conversation.id);
      conversations.push(conversation);
    } else dropped++;
  }
  return { ok: true, conversations, dropped };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STATUSES: readonly MessageStatus[] = ['streaming', 'done', 'stopped', 'error', 'length'];

function readConversation(v: unknown): StoredConversation | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || !v.id || !Array.isArray(v.messages)) return undefined;
  const messages: StoredMessage[] = [];
  for (const m of v.messages) {
    const message = readMessage(m);
    if (!message) return undefined;
    messages.push(message);
  }
  const num = (x: unknown, fallback: number) => (typeof x === 'number' && Number.isFinite(x) ? x : fallback);
  return {
    id: v.id,
    title: typeof v.title === 'string' ? v.title : 'Conversation',
    createdAt: num(v.createdAt, 0),
    updatedAt: num(v.updatedAt, num(v.createdAt, 0)),
    ...(typeof v.model === 'string' ? { model: v.model } : {}),
    messages,
  };
}

function readMessage(v: unknown): StoredMessage | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || (v.role !== 'user' && v.role !== 'assistant') || typeof v.content !== 'string') {
    return undefined;
  }
  if (v.attachments !== undefined && !(Array.isArray(v.attachments) && v.attachments.every(isAttachment))) return undefined;
  let status = typeof v.status === 'string' && (STATUSES as string[]).includes(v.status) ? (v.status as MessageStatus) : undefined;
  // Saved while streaming, then the window closed: the answer was interrupted, not lost.
  if (status === 'streaming') status = 'stopped';
  const message: StoredMessage = {
    id: v.id,
    role: v.role,
    content: v.content,
    createdAt: typeof v.createdAt === 'number' ? v.createdAt : 0,
  };
  if (typeof v.thinking === 'string') message.thinking = v.thinking;
  if (v.attachments !== undefined) message.attachments = v.attachments as Attachment[];
  if (typeof v.model === 'string') message.model = v.model;
  if (status) message.status = status;
  if (isRecord(v.error) && typeof v.error.message === 'string' && typeof v.error.kind === 'string') {
    message.error = { kind: v.error.kind, message: v.error.message, ...(typeof v.error.model === 'string' ? { model: v.error.model } : {}) };
  }
  if (typeof v.notice === 'string') message.notice = v.notice;
  if (isRecord(v.stats)) message.stats = v.stats as StoredMessage['stats'];
  return message;
}

function isAttachment(v: unknown): boolean {
  return isRecord(v) && typeof v.id === 'string' && typeof v.kind === 'string' && typeof v.label === 'string' && typeof v.content === 'string';
}
