// The chat panel's message protocol, imported by both the extension host and the webview.
// Neither side invents message shapes inline. Pure types plus the host's validator for what the page
// sends (the page renders model output, so the host treats its messages as untrusted input).
//
// Handshake: the page posts `ready`; the host queues everything until then and answers with `init`.
// A page that is hidden and recreated posts `ready` again and gets a fresh `init`.
// Streaming: the host posts `chunk` messages for one assistant message id; `content` and `thinking`
// are appended (or replace the shown text when `replace` is set); the last chunk has `done: true`
// and carries the outcome. Requests that want an answer carry a `requestId`; the host answers with
// `reply` naming the same id.

export const PROTOCOL_VERSION = 1;

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error' | 'length';

export type AttachmentKind = 'file' | 'selection' | 'problems' | 'text';

/** A context chip above the input, or one listed under a sent message. */
export interface AttachmentView {
  id: string;
  kind: AttachmentKind;
  label: string;
  /** Tooltip: the path, the line range, or why it is not attached. */
  detail?: string;
  /** Attached automatically (current file, selection): removing it toggles it off instead. */
  auto?: boolean;
  /** An auto chip the user switched off, or a file that may not be attached (excluded). */
  enabled: boolean;
  /** Estimated tokens of its content. */
  tokens?: number;
}

export interface ErrorView {
  message: string;
  /** BackendError kind, or 'incomplete' when the stream ended without its final chunk. */
  kind: string;
  /** Set when the model is not installed: the page offers to pull it. */
  pullModel?: string;
}

export interface StatsView {
  tokens?: number;
  tokensPerSecond?: number;
  seconds?: number;
}

export interface MessageView {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  /** The `<think>` part of a reasoning model's answer, shown folded. */
  thinking?: string;
  attachments?: AttachmentView[];
  model?: string;
  status?: MessageStatus;
  error?: ErrorView;
  /** What was left out to fit the model's context, said in words. */
  notice?: string;
  stats?: StatsView;
  createdAt: number;
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  messageCount: number;
}

export interface ConversationView {
  id: string;
  title: string;
  model?: string;
  messages: MessageView[];
}

export interface BudgetView {
  /** Estimated tokens of the prompt without the draft: system, history, attachments. */
  usedTokens: number;
  /** Tokens the prompt may use: the context window minus the room kept for the answer. */
  limitTokens: number;
}

export interface ChunkEnd {
  status: Exclude<MessageStatus, 'streaming'>;
  error?: ErrorView;
  stats?: StatsView;
}

export type HostMessage =
  | {
      type: 'init';
      protocol: number;
      conversation: ConversationView;
      conversations: ConversationSummary[];
      models: string[];
      model: string;
      chips: AttachmentView[];
      budget: BudgetView;
      busy: boolean;
    }
  | { type: 'conversation'; conversation: ConversationView; conversations: ConversationSummary[] }
  | { type: 'conversations'; conversations: ConversationSummary[] }
  | { type: 'messageAdded'; message: MessageView }
  | { type: 'messageUpdated'; message: MessageView }
  | { type: 'messagesRemoved'; ids: string[] }
  | {
      type: 'chunk';
      messageId: string;
      /** Answer text to append (or the whole answer with `replace`). */
      content: string;
      /** Reasoning text to append (or the whole of it with `replace`). */
      thinking?: string;
      replace?: boolean;
      done: boolean;
      end?: ChunkEnd;
    }
  | { type: 'models'; models: string[]; model: string }
  | { type: 'chips'; chips: AttachmentView[]; budget: BudgetView }
  | { type: 'busy'; busy: boolean }
  | { type: 'focusInput'; draft?: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; text: string }
  | { type: 'reply'; requestId: number; ok: boolean; message?: string };

export type CodeAction = 'copy' | 'insert' | 'apply' | 'newFile';
export type ContextSource = 'file' | 'problems' | 'selection';

export type WebviewMessage =
  | { type: 'ready'; protocol: number }
  | { type: 'send'; text: string; editOf?: string }
  | { type: 'stop' }
  | { type: 'regenerate' }
  | { type: 'continue' }
  | { type: 'retry' }
  | { type: 'newChat' }
  | { type: 'showHistory' }
  | { type: 'switchConversation'; id: string }
  | { type: 'renameConversation'; id: string }
  | { type: 'deleteConversation'; id: string }
  | { type: 'export' }
  | { type: 'selectModel'; model: string }
  | { type: 'toggleChip'; id: string }
  | { type: 'addContext'; source: ContextSource }
  | { type: 'codeAction'; requestId: number; action: CodeAction; code: string; language?: string }
  | { type: 'copyMessage'; requestId: number; messageId: string }
  | { type: 'openLink'; href: string }
  | { type: 'pullModel'; model: string }
  | { type: 'refreshModels' };

/** Longest text the page may send in one message (a pasted file is fine; a runaway page is not). */
export const MAX_TEXT = 2_000_000;

const CODE_ACTIONS: readonly string[] = ['copy', 'insert', 'apply', 'newFile'];
const CONTEXT_SOURCES: readonly string[] = ['file', 'problems', 'selection'];

function str(v: unknown, max = 1_000): v is string {
  return typeof v === 'string' && v.length <= max;
}

function int(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** The host's check of a message from the page: a well-formed WebviewMessage, or undefined. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return int(m.protocol) ? { type: 'ready', protocol: m.protocol } : undefined;
    case 'send':
      if (!str(m.text, MAX_TEXT)) return undefined;
      if (m.editOf !== undefined && !str(m.editOf)) return undefined;
      return m.editOf === undefined ? { type: 'send', text: m.text } : { type: 'send', text: m.text, editOf: m.editOf as string };
    case 'stop':
    case 'regenerate':
    case 'continue':
    case 'retry':
    case 'newChat':
    case 'showHistory':
    case 'export':
    case 'refreshModels':
      return { type: m.type };
    case 'switchConversation':
    case 'renameConversation':
    case 'deleteConversation':
      return str(m.id) ? { type: m.type, id: m.id } : undefined;
    case 'selectModel':
      return str(m.model, 300) && m.model.trim() ? { type: 'selectModel', model: m.model } : undefined;
    case 'toggleChip':
      return str(m.id) ? { type: 'toggleChip', id: m.id } : undefined;
    case 'addContext':
      return str(m.source) && CONTEXT_SOURCES.includes(m.source) ? { type: 'addContext', source: m.source as ContextSource } : undefined;
    case 'codeAction':
      if (!int(m.requestId) || !str(m.action) || !CODE_ACTIONS.includes(m.action) || !str(m.code, MAX_TEXT)) return undefined;
      if (m.language !== undefined && !str(m.language, 100)) return undefined;
      return {
        type: 'codeAction',
        requestId: m.requestId,
        action: m.action as CodeAction,
        code: m.code,
        ...(m.language !== undefined ? { language: m.language as string } : {}),
      };
    case 'copyMessage':
      return int(m.requestId) && str(m.messageId) ? { type: 'copyMessage', requestId: m.requestId, messageId: m.messageId } : undefined;
    case 'openLink':
      return str(m.href, 8_000) ? { type: 'openLink', href: m.href } : undefined;
    case 'pullModel':
      return str(m.model, 300) && m.model.trim() ? { type: 'pullModel', model: m.model } : undefined;
    default:
      return undefined;
  }
}
