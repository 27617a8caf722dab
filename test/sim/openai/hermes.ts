// vLLM's hermes tool parser, as `vllm serve … --enable-auto-tool-choice --tool-call-parser hermes`
// runs it for Qwen2.5 (vllm/entrypoints/openai/tool_parsers/hermes_tool_parser.py,
// extract_tool_calls_streaming; chat_completion/serving.py for the finish_reason): the model writes
// `<tool_call>{"name": …, "arguments": {…}}</tool_call>`; the client gets, per call, one delta with
// `index`, `id` ("chatcmpl-tool-…"), `type: "function"` and the function name, then deltas with
// argument fragments only (`index` and `function.arguments`), which concatenate to the arguments'
// JSON. Text outside the tags streams as `content`. The stream's finish_reason is "tool_calls" once a
// call was streamed. Simplified: fragments are the model's own argument text as it arrives (vLLM
// re-serializes a partial parse and sends the difference: same concatenation for compact JSON).

import { randomBytes } from 'node:crypto';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

export interface ToolCallDeltaOut {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments?: string };
}

export type HermesDelta = { content: string } | { tool_calls: ToolCallDeltaOut[] };

/** The longest end of `text` that could start `tag` (held back until the next piece decides). */
function partialTagAt(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (tag.startsWith(text.slice(text.length - n))) return n;
  return 0;
}

export class HermesStream {
  private buffer = '';
  private inCall = false;
  private index = -1;
  private nameSent = false;
  private argsSent = 0;
  /** How many calls were streamed (finish_reason "tool_calls" when any). */
  calls = 0;

  add(piece: string): HermesDelta[] {
    this.buffer += piece;
    const out: HermesDelta[] = [];
    for (;;) {
      if (!this.inCall) {
        const at = this.buffer.indexOf(OPEN);
        if (at < 0) {
          const hold = partialTagAt(this.buffer, OPEN);
          const text = this.buffer.slice(0, this.buffer.length - hold);
          if (text) out.push({ content: text });
          this.buffer = this.buffer.slice(this.buffer.length - hold);
          return out;
        }
        const before = this.buffer.slice(0, at);
        if (before.trim()) out.push({ content: before });
        this.buffer = this.buffer.slice(at + OPEN.length);
        this.inCall = true;
        this.index++;
        this.nameSent = false;
        this.argsSent = 0;
        continue;
      }
      const end = this.buffer.indexOf(CLOSE);
      const body = end < 0 ? this.buffer.slice(0, this.buffer.length - partialTagAt(this.buffer, CLOSE)) : this.buffer.slice(0, end);
      out.push(...this.callDeltas(body, end >= 0));
      if (end < 0) return out;
      this.buffer = this.buffer.slice(end + CLOSE.length);
      this.inCall = false;
    }
  }

  /** What is left at the end of the answer. */
  flush(): HermesDelta[] {
    if (this.inCall) {
      const out = this.callDeltas(this.buffer, true);
      this.buffer = '';
      this.inCall = false;
      return out;
    }
    const text = this.buffer;
    this.buffer = '';
    return text ? [{ content: text }] : [];
  }

  private callDeltas(body: string, closed: boolean): HermesDelta[] {
    const out: HermesDelta[] = [];
    if (!this.nameSent) {
      const name = /"name"\s*:\s*"([^"]*)"/.exec(body)?.[1];
      if (name === undefined) return out;
      this.nameSent = true;
      this.calls++;
      out.push({ tool_calls: [{ index: this.index, id: `chatcmpl-tool-${randomBytes(16).toString('hex')}`, type: 'function', function: { name } }] });
    }
    const key = /"arguments"\s*:\s*/.exec(body);
    if (!key) return out;
    const rest = body.slice(key.index + key[0].length);
    // The outer object's closing brace is not part of the arguments: hold back a trailing "}" until the tag closes.
    const args = closed ? rest.replace(/\s*}\s*$/, '') : rest.replace(/\s*}?\s*$/, '');
    if (args.length > this.argsSent) {
      out.push({ tool_calls: [{ index: this.index, function: { arguments: args.slice(this.argsSent) } }] });
      this.argsSent = args.length;
    }
    return out;
  }
}

/** The whole answer at once (stream: false): content outside the tags and the calls with JSON-string arguments. */
export function parseHermes(text: string): { content: string; toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] } {
  const stream = new HermesStream();
  const deltas = [...stream.add(text), ...stream.flush()];
  let content = '';
  const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for (const d of deltas) {
    if ('content' in d) content += d.content;
    else for (const c of d.tool_calls) {
      if (c.id) calls[c.index] = { id: c.id, type: 'function', function: { name: c.function.name ?? '', arguments: '' } };
      else if (calls[c.index]) calls[c.index]!.function.arguments += c.function.arguments ?? '';
    }
  }
  return { content, toolCalls: calls.filter(Boolean) };
}

/** The chat chunks carrying the deltas; the first delta of an answer carries the role. */
export function deltaChunks(base: Record<string, unknown>, deltas: readonly HermesDelta[], first: boolean): Record<string, unknown>[] {
  return deltas.map((delta, n) => ({ ...base, choices: [{ index: 0, delta: { ...(first && n === 0 ? { role: 'assistant' } : {}), ...delta }, logprobs: null, finish_reason: null }] }));
}
