// One attempt of a tool-calling turn against the model server: the server's native tool calling
// where the model's template has it (Ollama's `tools` capability), else the tools described in the
// system prompt in Qwen's own format. Either way the answer is read by the one answer reader and the
// text-written calls are left to the repair in turn.ts. Pure: the backend is injected.

import type { Backend, ChatToolCall, StreamChunk } from '../backend/backend';
import { readAnswer } from '../backend/stream';
import { toolsSystemPrompt } from './messages';
import type { FoundCall } from './toolCalls';
import type { AttemptResult, ChatAttempt } from './turn';

export interface ServerChatOptions {
  model: string;
  /** The context the model is loaded with (Ollama's num_ctx); also what VS Code is told. */
  numCtx?: number;
  maxOutputTokens?: number;
  keepAlive?: string | number;
  /** The model's template handles `tools` (Ollama's capability list says "tools"). */
  nativeTools: boolean;
}

export function chatThroughBackend(backend: () => Backend, options: ServerChatOptions): (attempt: ChatAttempt) => Promise<AttemptResult> {
  return async (attempt) => {
    const server = backend();
    const native: FoundCall[] = [];
    const described = !options.nativeTools && attempt.tools.length > 0;
    const messages = described ? [{ role: 'system' as const, content: toolsSystemPrompt(attempt.tools) }, ...attempt.messages] : attempt.messages;
    const chunks = server.chat({
      model: options.model,
      messages,
      ...(options.nativeTools && attempt.tools.length ? { tools: attempt.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema })) } : {}),
      options: { ...(options.numCtx ? { num_ctx: options.numCtx } : {}), ...(options.maxOutputTokens ? { num_predict: options.maxOutputTokens } : {}) },
      keepAlive: options.keepAlive,
      signal: attempt.signal,
    });
    const answer = await readAnswer(collectCalls(chunks, native), { host: server.host, model: options.model }, { signal: attempt.signal, onText: (piece) => attempt.onText(piece) });
    return { end: answer.end, nativeCalls: native, ...(answer.error ? { errorMessage: answer.error.message } : {}) };
  };
}

/** Passes the chunks through, keeping the tool calls the server parsed. */
async function* collectCalls(chunks: AsyncIterable<StreamChunk>, into: FoundCall[]): AsyncGenerator<StreamChunk> {
  for await (const chunk of chunks) {
    for (const call of chunk.toolCalls ?? []) into.push(found(call));
    yield chunk;
  }
}

function found(call: ChatToolCall): FoundCall {
  return { name: call.name, input: call.arguments, raw: JSON.stringify(call), tagged: true };
}
