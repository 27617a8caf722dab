// How Ollama turns a model's text into `tool_calls` when a chat request carries `tools`.
// Follows ollama/ollama tools/tools.go (Parser.Add, findTag, findToolCall, findArguments, Content;
// read at commit 03fb778): the tag comes from the model's template (tools/template.go parseTag;
// "<tool_call>" for Qwen2.5's template — here every model with the `tools` capability uses it, a
// simplification); text before the tag is content; after the tag, the first complete JSON object
// naming a known tool becomes a call; a bare JSON object without the tag stays text (the reason
// local Qwen2.5-Coder's calls reach clients as text, ollama/ollama#12174 and similar). What the
// parser could not use is sent back as content at the end. Not verified here: Ollama's newer
// per-model parsers (model/parsers/) for Qwen3-Coder's XML form; the simulator does not model them.

export interface SimToolCall {
  function: { name: string; arguments: Record<string, unknown> };
}

/** End of the first balanced JSON object in `s` from `from`, string-aware; -1 while open. */
function objectEnd(s: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

export class SimToolParser {
  private buffer = '';
  private parsing = false;
  private calls = 0;

  constructor(
    private readonly names: readonly string[],
    private readonly tag = '<tool_call>',
  ) {}

  /** Takes a generated piece; returns the content to stream now and any complete calls. */
  add(piece: string): { content: string; calls: SimToolCall[] } {
    this.buffer += piece;
    let content = '';
    if (!this.parsing) {
      const at = this.buffer.indexOf(this.tag);
      if (at < 0) {
        // Hold back a suffix that may be the start of the tag (findTag's indexOverlap).
        const hold = this.overlap();
        content = this.buffer.slice(0, this.buffer.length - hold);
        this.buffer = this.buffer.slice(this.buffer.length - hold);
        return { content, calls: [] };
      }
      content = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at);
      this.parsing = true;
    }
    const calls: SimToolCall[] = [];
    for (;;) {
      const start = this.buffer.indexOf('{');
      if (start < 0) break;
      const end = objectEnd(this.buffer, start);
      if (end < 0) break;
      let value: unknown;
      try {
        value = JSON.parse(this.buffer.slice(start, end));
      } catch {
        break; // not valid JSON: Ollama keeps it and returns it as content at the end
      }
      const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      const name = typeof o.name === 'string' ? o.name : '';
      if (!this.names.includes(name)) break;
      const args = typeof o.arguments === 'object' && o.arguments !== null ? (o.arguments as Record<string, unknown>) : {};
      calls.push({ function: { name, arguments: args } });
      this.calls++;
      this.buffer = this.buffer.slice(end).replace(/^\s*<\/tool_call>\s*/, '');
      // Another call may follow with its own tag.
      this.buffer = this.buffer.replace(/^\s*<tool_call>\s*/, '');
    }
    return { content, calls };
  }

  /** What is left when the answer ends (Content()): nothing once a call was made, else the held text. */
  flush(): string {
    const rest = this.buffer;
    this.buffer = '';
    return this.calls > 0 ? '' : rest;
  }

  private overlap(): number {
    for (let n = Math.min(this.tag.length - 1, this.buffer.length); n > 0; n--) {
      if (this.buffer.endsWith(this.tag.slice(0, n))) return n;
    }
    return 0;
  }
}
