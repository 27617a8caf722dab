// Native tool calls streamed in chat deltas (vLLM with --enable-auto-tool-choice, llama-server with
// --jinja): per call one delta with `index`, `id` and the function name, then deltas carrying only
// `index` and argument fragments. Put back together here into the ChatToolCall events the Ollama
// backend yields, so src/lm/ reads both servers the same way. Pure.

import type { ChatToolCall } from './backend';

/** One element of `choices[0].delta.tool_calls` (OpenAI's ChatCompletionChunk.Choice.Delta.ToolCall). */
export interface ToolCallDelta {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export class ToolCallAssembler {
  private readonly calls = new Map<number, { id?: string; name: string; args: string }>();

  add(deltas: readonly ToolCallDelta[] | undefined | null): void {
    for (const [position, d] of (deltas ?? []).entries()) {
      const index = d.index ?? position;
      const call = this.calls.get(index) ?? { name: '', args: '' };
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.args += d.function.arguments;
      this.calls.set(index, call);
    }
  }

  get size(): number {
    return this.calls.size;
  }

  /**
   * The calls in index order. Arguments that are not a JSON object (a model that wrote broken JSON)
   * come back as a `<tool_call>` text instead, which the tool-call repair in src/lm/ mends.
   */
  finish(): { calls: ChatToolCall[]; text: string } {
    const calls: ChatToolCall[] = [];
    let text = '';
    for (const [, c] of [...this.calls.entries()].sort(([a], [b]) => a - b)) {
      if (!c.name) continue;
      const args = parseObject(c.args.trim() === '' ? '{}' : c.args);
      if (args) calls.push({ ...(c.id ? { id: c.id } : {}), name: c.name, arguments: args });
      else text += `<tool_call>\n{"name": ${JSON.stringify(c.name)}, "arguments": ${c.args}}\n</tool_call>`;
    }
    return { calls, text };
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
