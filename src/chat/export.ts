// A conversation as a Markdown document (the "Export Conversation as Markdown" command). Pure.

import { fenceFor } from './context';
import type { ChatIde } from './ide';
import type { StoredConversation, StoredMessage } from './types';

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function statusLine(m: StoredMessage): string | undefined {
  switch (m.status) {
    case 'stopped':
      return '_(stopped before the end)_';
    case 'length':
      return '_(cut off at the length limit)_';
    case 'error':
      return `_(failed: ${m.error?.message ?? 'error'})_`;
    default:
      return undefined;
  }
}

export function conversationToMarkdown(conversation: StoredConversation): string {
  const out: string[] = [`# ${conversation.title.replace(/\n/g, ' ')}`, ''];
  const models = [...new Set(conversation.messages.map((m) => m.model).filter((m): m is string => !!m))];
  out.push(`_Exported from Qwen Local on ${when(Date.now())}${models.length ? ` · model ${models.join(', ')}` : ''}._`, '');
  for (const m of conversation.messages) {
    if (m.role === 'user') {
      out.push('## You', '');
      for (const a of m.attachments ?? []) {
        const range = a.range ? ` (lines ${a.range.startLine}-${a.range.endLine})` : '';
        out.push(`> Context: ${a.kind === 'problems' ? a.label : `\`${a.path ?? a.label}\`${range}`}`);
      }
      if (m.attachments?.length) out.push('');
      out.push(m.content, '');
    } else {
      out.push(`## Qwen${m.model ? ` (${m.model})` : ''}`, '');
      if (m.thinking) {
        const fence = fenceFor(m.thinking);
        out.push('<details><summary>Thinking</summary>', '', `${fence}text`, m.thinking, fence, '', '</details>', '');
      }
      if (m.content) out.push(m.content, '');
      const status = statusLine(m);
      if (status) out.push(status, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** A file name for the save dialog. */
export function exportFileName(conversation: StoredConversation): string {
  const slug = conversation.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return `${slug || 'chat'}.md`;
}

/** Export Conversation: a Markdown file where the person chooses, or a word why not. */
export async function exportConversation(ide: Pick<ChatIde, 'saveMarkdown' | 'showInfo'>, conversation: StoredConversation): Promise<void> {
  if (conversation.messages.length === 0) {
    ide.showInfo('This conversation is empty: nothing to export.');
    return;
  }
  const written = await ide.saveMarkdown(exportFileName(conversation), conversationToMarkdown(conversation));
  if (written) ide.showInfo(`Conversation exported to ${written}.`);
}
