// View models: the chat's stored data as the page is sent it (protocol.ts types), and what the
// page's code block buttons do in the editor. Pure: no `vscode`.

import type { Logger } from '../log';
import type { CodeAction, ConversationView, ErrorView, HostMessage, MessageView, StatsView } from '../protocol';
import type { ChatIde } from './ide';
import { attachmentLink } from './links';
import type { ThinkDelta } from './think';
import { plainWords } from './turn';
import type { StoredConversation, StoredMessage } from './types';

/** Models the chat can use: anything installed except embedding models. */
export function chatModels(names: readonly string[]): string[] {
  return names.filter((n) => !/embed|bge-|minilm|nomic-embed/i.test(n)).sort((a, b) => a.localeCompare(b));
}

export function statsView(m: StoredMessage): StatsView | undefined {
  const s = m.stats;
  if (!s) return undefined;
  const view: StatsView = {};
  if (s.evalCount !== undefined) view.tokens = s.evalCount;
  if (s.evalCount && s.evalDurationNs) view.tokensPerSecond = Math.round((s.evalCount / (s.evalDurationNs / 1e9)) * 10) / 10;
  if (s.totalDurationNs) view.seconds = Math.round(s.totalDurationNs / 1e8) / 10;
  return view;
}

export function errorView(m: StoredMessage): ErrorView | undefined {
  if (!m.error) return undefined;
  return {
    kind: m.error.kind,
    // Also errors stored by earlier versions: the page shows text, not Markdown.
    message: plainWords(m.error.message),
    ...(m.error.kind === 'modelNotFound' && (m.error.model ?? m.model) ? { pullModel: m.error.model ?? m.model } : {}),
  };
}

export function messageView(m: StoredMessage): MessageView {
  const view: MessageView = { id: m.id, role: m.role, content: m.content, createdAt: m.createdAt };
  if (m.thinking) view.thinking = m.thinking;
  if (m.attachments?.length) {
    view.attachments = m.attachments.map((a) => {
      const open = attachmentLink(a);
      return {
        id: a.id,
        kind: a.kind,
        label: a.label,
        enabled: true,
        ...(a.path ? { detail: a.range ? `${a.path}, lines ${a.range.startLine}-${a.range.endLine}` : a.path } : {}),
        ...(open ? { open } : {}),
      };
    });
  }
  if (m.model) view.model = m.model;
  if (m.status) view.status = m.status;
  const error = errorView(m);
  if (error) view.error = error;
  if (m.notice) view.notice = m.notice;
  const stats = statsView(m);
  if (stats) view.stats = stats;
  return view;
}

export function conversationView(c: StoredConversation): ConversationView {
  return { id: c.id, title: c.title, ...(c.model ? { model: c.model } : {}), messages: c.messages.map(messageView) };
}

/** A streamed piece of an answer. */
export function chunkMessage(messageId: string, delta: ThinkDelta): HostMessage {
  return {
    type: 'chunk',
    messageId,
    content: delta.content,
    ...(delta.thinking || delta.replace ? { thinking: delta.thinking } : {}),
    ...(delta.replace ? { replace: true } : {}),
    done: false,
  };
}

/** The last chunk of an answer: how it ended. */
export function endMessage(m: StoredMessage): HostMessage {
  const error = errorView(m);
  const stats = statsView(m);
  return {
    type: 'chunk',
    messageId: m.id,
    content: '',
    done: true,
    end: { status: m.status === 'streaming' || !m.status ? 'done' : m.status, ...(error ? { error } : {}), ...(stats ? { stats } : {}) },
  };
}

/** Runs a code block button's action in the editor; returns the sentence to show if it failed. */
export async function runCodeAction(ide: ChatIde, log: Logger, action: CodeAction, code: string, language: string | undefined): Promise<string | undefined> {
  try {
    switch (action) {
      case 'copy':
        await ide.copy(code);
        return undefined;
      case 'insert':
        return await ide.insertAtCursor(code);
      case 'apply':
        return await ide.applyToFile(code, language);
      case 'newFile':
        return await ide.newFile(code, language);
    }
  } catch (error) {
    log.error(`Code block action ${action} failed`, error);
    return error instanceof Error ? error.message : String(error);
  }
}
