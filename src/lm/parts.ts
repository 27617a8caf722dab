// Reads VS Code's language model messages without depending on the API version: before 1.95 a
// message's content is a string, later an array of part objects (text, tool call, tool result).
// Parts are recognised by their fields, so this stays pure and runs against any VS Code.

import type { LmInputMessage, LmPart } from './messages';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Text of a tool result's content: its text parts joined; other parts (data, prompt-tsx) as JSON. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((c) => (isRecord(c) && typeof c.value === 'string' ? c.value : isRecord(c) && 'data' in c ? '' : JSON.stringify(c))).join('');
}

export function partsOf(content: unknown): LmPart[] {
  if (typeof content === 'string') return content ? [{ kind: 'text', value: content }] : [];
  if (!Array.isArray(content)) return [];
  const parts: LmPart[] = [];
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (typeof part.callId === 'string' && typeof part.name === 'string') {
      parts.push({ kind: 'toolCall', callId: part.callId, name: part.name, input: isRecord(part.input) ? (part.input as Record<string, unknown>) : {} });
    } else if (typeof part.callId === 'string' && 'content' in part) {
      parts.push({ kind: 'toolResult', callId: part.callId, content: resultText(part.content) });
    } else if (typeof part.value === 'string') {
      parts.push({ kind: 'text', value: part.value });
    }
  }
  return parts;
}

/** VS Code's roles: User = 1, Assistant = 2, System = 3 (proposed); anything else is read as the user. */
export function inputMessage(message: { role: unknown; content: unknown }): LmInputMessage {
  const role = message.role === 2 ? 'assistant' : message.role === 3 ? 'system' : 'user';
  return { role, parts: partsOf(message.content) };
}
