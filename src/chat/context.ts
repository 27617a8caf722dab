// Builds the messages sent to the model for one chat turn, within the model's context window.
// Pure: no `vscode`, no I/O.
//
// Each user message carries its attachments as fenced blocks before the question. To fit the
// window (num_ctx minus the room kept for the answer), in this order:
//   0. an attachment sent again later (same file and range) is sent only in its latest copy;
//   1. the oldest messages are left out, one exchange at a time;
//   2. the largest attachments of the new message are shortened (head kept), then left out;
//   3. the question itself is shortened in the middle.
// The result says what was cut, and `describeCut` turns that into the sentence the panel shows.

import type { ChatMessage } from '../backend/backend';
import type { Attachment } from './types';

export interface PromptMessage {
  role: 'user' | 'assistant';
  text: string;
  attachments?: Attachment[];
}

export interface PromptInput {
  system: string;
  /** Earlier messages, oldest first. */
  history: PromptMessage[];
  /** The new user message (or the instruction to continue a cut answer). */
  current: PromptMessage;
  /** Tokens the prompt may use: num_ctx minus the answer's share. */
  limitTokens: number;
  estimate(text: string): number;
}

export interface CutReport {
  /** Earlier messages left out (oldest first). */
  droppedMessages: number;
  /** Attachments of the new message that were shortened. */
  shortened: { label: string; fromTokens: number; toTokens: number }[];
  /** Attachments of the new message left out entirely. */
  dropped: string[];
  /** The question itself was shortened. */
  questionShortened: boolean;
  /** Older copies replaced by a reference to the latest copy. */
  deduplicated: number;
}

export interface PromptResult {
  messages: ChatMessage[];
  tokens: number;
  limitTokens: number;
  cut: CutReport;
}

/** Chat template overhead per message (role markers, separators). */
const MESSAGE_OVERHEAD = 6;
/** An attachment shortened below this is left out instead. */
const MIN_ATTACHMENT_TOKENS = 120;

/** The fence for `content`: longer than any backtick run inside it. */
export function fenceFor(content: string): string {
  let longest = 0;
  for (const match of content.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function rangeText(a: Attachment): string {
  if (!a.range) return '';
  return a.range.startLine === a.range.endLine ? ` (line ${a.range.startLine})` : ` (lines ${a.range.startLine}-${a.range.endLine})`;
}

/** The header line the model reads above an attachment. */
export function attachmentHeader(a: Attachment): string {
  const where = a.path ?? a.label;
  switch (a.kind) {
    case 'file':
      return `File \`${where}\`${a.truncatedChars ? ' (beginning only)' : ''}:`;
    case 'selection':
      return `Selected code from \`${where}\`${rangeText(a)}:`;
    case 'problems':
      return `Problems reported in \`${where}\`:`;
    case 'text':
      return `${a.label}:`;
  }
}

export function formatAttachment(a: Attachment): string {
  const fence = fenceFor(a.content);
  const lang = a.kind === 'problems' || a.kind === 'text' ? '' : (a.languageId ?? '');
  return `${attachmentHeader(a)}\n${fence}${lang}\n${a.content}${a.content.endsWith('\n') ? '' : '\n'}${fence}`;
}

/** A user message as the model reads it: the context blocks, then the question. */
export function formatUserMessage(text: string, attachments: readonly Attachment[] = [], references: readonly Attachment[] = []): string {
  const parts: string[] = [];
  for (const a of references) parts.push(`${attachmentHeader(a).replace(/:$/, '')}: the same as the latest copy below.`);
  for (const a of attachments) parts.push(formatAttachment(a));
  parts.push(text);
  return parts.join('\n\n');
}

/** Same file (or the same range of it): a later copy makes an earlier one redundant. */
export function attachmentKey(a: Attachment): string | undefined {
  if (a.kind !== 'file' && a.kind !== 'selection' && a.kind !== 'problems') return undefined;
  const where = a.uri ?? a.path;
  if (!where) return undefined;
  return `${a.kind}|${where}|${a.range ? `${a.range.startLine}-${a.range.endLine}` : ''}`;
}

interface Working {
  role: 'user' | 'assistant';
  text: string;
  attachments: Attachment[];
  references: Attachment[];
}

function cost(m: Working, estimate: (t: string) => number): number {
  return m.role === 'user'
    ? estimate(formatUserMessage(m.text, m.attachments, m.references)) + MESSAGE_OVERHEAD
    : estimate(m.text) + MESSAGE_OVERHEAD;
}

/** Keeps the first lines of `text` within `tokens`. */
export function shortenHead(text: string, tokens: number, estimate: (t: string) => number): string {
  if (estimate(text) <= tokens) return text;
  const lines = text.split('\n');
  let lo = 0;
  let hi = lines.length;
  // Binary search on the number of lines kept; each probe is one estimate.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimate(lines.slice(0, mid).join('\n')) + 12 <= tokens) lo = mid;
    else hi = mid - 1;
  }
  const kept = lines.slice(0, lo).join('\n');
  return `${kept}\n… (${lines.length - lo} more lines left out to fit the model's context)`;
}

/** Keeps the start and the end of `text` within `tokens`. */
function shortenMiddle(text: string, tokens: number, estimate: (t: string) => number): string {
  if (estimate(text) <= tokens) return text;
  const ratio = Math.max(0, tokens - 20) / Math.max(1, estimate(text));
  const keep = Math.floor(text.length * ratio);
  const head = text.slice(0, Math.floor(keep * 0.6));
  const tail = text.slice(text.length - Math.floor(keep * 0.4));
  return `${head}\n… (part of the message left out to fit the model's context) …\n${tail}`;
}

export function buildPrompt(input: PromptInput): PromptResult {
  const { estimate, limitTokens } = input;
  const cut: CutReport = { droppedMessages: 0, shortened: [], dropped: [], questionShortened: false, deduplicated: 0 };

  const all: Working[] = [...input.history, input.current]
    // An answer that failed before any text has nothing to send back.
    .filter((m, i, list) => m.role === 'user' || m.text.trim() || i === list.length - 1)
    .map((m) => ({ role: m.role, text: m.text, attachments: [...(m.attachments ?? [])], references: [] }));

  // 0. Latest copy only.
  const seen = new Set<string>();
  for (let i = all.length - 1; i >= 0; i--) {
    const message = all[i];
    const keep: Attachment[] = [];
    for (const a of message.attachments) {
      const key = attachmentKey(a);
      if (key && seen.has(key)) {
        message.references.push(a);
        cut.deduplicated++;
      } else {
        if (key) seen.add(key);
        keep.push(a);
      }
    }
    message.attachments = keep;
  }

  const systemTokens = input.system ? estimate(input.system) + MESSAGE_OVERHEAD : 0;
  const costs = all.map((m) => cost(m, estimate));
  const total = () => systemTokens + costs.reduce((sum, c) => sum + c, 0);

  // 1. Oldest messages first: an exchange at a time, so the model never starts with a lone answer.
  while (total() > limitTokens && all.length > 1) {
    all.shift();
    costs.shift();
    cut.droppedMessages++;
    while (all.length > 1 && all[0].role === 'assistant') {
      all.shift();
      costs.shift();
      cut.droppedMessages++;
    }
  }

  // 2. Largest attachments of the new message.
  const current = all[all.length - 1];
  const last = costs.length - 1;
  while (total() > limitTokens && current.attachments.length > 0) {
    let largest = 0;
    const sizes = current.attachments.map((a) => estimate(a.content));
    for (let i = 1; i < sizes.length; i++) if (sizes[i] > sizes[largest]) largest = i;
    const a = current.attachments[largest];
    const excess = total() - limitTokens;
    const target = sizes[largest] - excess - 16;
    if (target < MIN_ATTACHMENT_TOKENS) {
      current.attachments.splice(largest, 1);
      cut.dropped.push(a.label);
      const wasShortened = cut.shortened.findIndex((s) => s.label === a.label);
      if (wasShortened >= 0) cut.shortened.splice(wasShortened, 1);
    } else {
      const content = shortenHead(a.content, target, estimate);
      const previous = cut.shortened.find((s) => s.label === a.label);
      if (previous) previous.toTokens = estimate(content);
      else cut.shortened.push({ label: a.label, fromTokens: sizes[largest], toTokens: estimate(content) });
      current.attachments[largest] = { ...a, content };
    }
    costs[last] = cost(current, estimate);
  }

  // 3. The question itself.
  if (total() > limitTokens) {
    const room = limitTokens - (total() - costs[last]) - MESSAGE_OVERHEAD;
    current.references = [];
    current.text = shortenMiddle(current.text, Math.max(50, room), estimate);
    costs[last] = cost(current, estimate);
    cut.questionShortened = true;
  }

  const messages: ChatMessage[] = [];
  if (input.system) messages.push({ role: 'system', content: input.system });
  for (const m of all) {
    messages.push({
      role: m.role,
      content: m.role === 'user' ? formatUserMessage(m.text, m.attachments, m.references) : m.text,
    });
  }
  return { messages, tokens: total(), limitTokens, cut };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The sentence the panel shows when something had to go; undefined when nothing did. */
export function describeCut(cut: CutReport): string | undefined {
  const parts: string[] = [];
  if (cut.droppedMessages > 0) parts.push(`left out the ${plural(cut.droppedMessages, 'oldest message')}`);
  for (const s of cut.shortened) {
    parts.push(`shortened ${s.label} (${s.fromTokens.toLocaleString('en-US')} → ${s.toTokens.toLocaleString('en-US')} tokens)`);
  }
  if (cut.dropped.length > 0) parts.push(`left out ${cut.dropped.join(', ')}`);
  if (cut.questionShortened) parts.push('shortened your message');
  if (parts.length === 0) return undefined;
  return `To fit the model's context window, Qwen Local ${parts.join('; ')}.`;
}
