// VS Code's chat messages (text, tool calls, tool results) as the model server's chat API wants
// them, trimmed to the context the model really has. The adapter turns VS Code's part classes into
// the plain parts below; everything here is pure (no `vscode`).

import type { ChatMessage } from '../backend/backend';

export type LmPart =
  | { kind: 'text'; value: string }
  | { kind: 'toolCall'; callId: string; name: string; input: Record<string, unknown> }
  | { kind: 'toolResult'; callId: string; content: string };

export interface LmInputMessage {
  role: 'system' | 'user' | 'assistant';
  parts: LmPart[];
}

/** The server chat API's message (backend.ts): Ollama's /api/chat and OpenAI's /v1/chat/completions agree on it. */
export type LmMessage = ChatMessage;

/** Maps VS Code's messages; a tool result goes out as a `tool` message right after the call it answers. */
export function toServerMessages(input: readonly LmInputMessage[]): LmMessage[] {
  const names = new Map<string, string>();
  const out: LmMessage[] = [];
  for (const message of input) {
    const text = message.parts
      .filter((p): p is Extract<LmPart, { kind: 'text' }> => p.kind === 'text')
      .map((p) => p.value)
      .join('');
    if (message.role === 'assistant') {
      const calls = message.parts.filter((p): p is Extract<LmPart, { kind: 'toolCall' }> => p.kind === 'toolCall');
      for (const call of calls) names.set(call.callId, call.name);
      out.push({
        role: 'assistant',
        content: text,
        ...(calls.length ? { toolCalls: calls.map((c) => ({ id: c.callId, name: c.name, arguments: c.input })) } : {}),
      });
      continue;
    }
    for (const part of message.parts) {
      if (part.kind !== 'toolResult') continue;
      out.push({ role: 'tool', content: part.content, toolCallId: part.callId, ...(names.has(part.callId) ? { toolName: names.get(part.callId) } : {}) });
    }
    if (text || !message.parts.some((p) => p.kind === 'toolResult')) out.push({ role: message.role, content: text });
  }
  return out;
}

export interface Fitted {
  messages: LmMessage[];
  /** Messages left out, oldest first. */
  dropped: number;
  tokens: number;
  /** Even the newest exchange alone does not fit: the caller must say so rather than send it. */
  overflow: boolean;
}

function tokensOf(message: LmMessage, estimate: (text: string) => number): number {
  const calls = message.toolCalls?.map((c) => `${c.name}${JSON.stringify(c.arguments)}`).join('') ?? '';
  // About four tokens of template per message (role markers and separators).
  return estimate(message.content + calls) + 4;
}

/**
 * Drops the oldest turns until the rest fits `limitTokens`, as the chat panel does. System messages
 * stay; an assistant's tool calls and the tool results that answer them go together, so the server
 * never sees a result without its call.
 */
export function fitToContext(messages: readonly LmMessage[], limitTokens: number, estimate: (text: string) => number): Fitted {
  const system = messages.filter((m) => m.role === 'system');
  const rest = messages.filter((m) => m.role !== 'system');
  // Groups: a message with the tool results that follow it.
  const groups: LmMessage[][] = [];
  for (const message of rest) {
    if (message.role === 'tool' && groups.length) groups[groups.length - 1].push(message);
    else groups.push([message]);
  }
  const cost = (ms: readonly LmMessage[]) => ms.reduce((sum, m) => sum + tokensOf(m, estimate), 0);
  let total = cost(system) + groups.reduce((sum, g) => sum + cost(g), 0);
  let dropped = 0;
  while (total > limitTokens && groups.length > 1) {
    const group = groups.shift() ?? [];
    total -= cost(group);
    dropped += group.length;
  }
  // A conversation must not start with the assistant: drop a leading assistant group too.
  while (groups.length > 1 && groups[0][0].role === 'assistant' && dropped > 0) {
    const group = groups.shift() ?? [];
    total -= cost(group);
    dropped += group.length;
  }
  return { messages: [...system, ...groups.flat()], dropped, tokens: total, overflow: total > limitTokens };
}

/**
 * Tells a model whose server template has no tool support how to call tools, in the format Qwen
 * models are trained on (the `<tools>` block of Qwen2.5's chat template).
 */
export function toolsSystemPrompt(tools: readonly { name: string; description?: string; inputSchema?: object }[]): string {
  const lines = tools.map((t) =>
    JSON.stringify({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.inputSchema ?? { type: 'object', properties: {} } } }),
  );
  return [
    '# Tools',
    '',
    'You may call one or more functions to assist with the user query.',
    '',
    'You are provided with function signatures within <tools></tools> XML tags:',
    '<tools>',
    ...lines,
    '</tools>',
    '',
    'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:',
    '<tool_call>',
    '{"name": <function-name>, "arguments": <args-json-object>}',
    '</tool_call>',
  ].join('\n');
}
