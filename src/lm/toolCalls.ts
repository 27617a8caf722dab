// Tool calls that a local Qwen wrote as text, turned into real calls. Qwen2.5-Coder answers with
// bare JSON objects or `<tool_call>{…}</tool_call>` blocks (its chat template's format), Qwen3-Coder
// with `<tool_call><function=name><parameter=k>v</parameter></function></tool_call>`, and both wrap
// them in ```json fences or add prose around them. A call is accepted only with a known tool name
// and arguments that satisfy the tool's input schema; anything else becomes a problem the model is
// told about, never a call that runs. Pure: no `vscode`.

import { Validator, type Schema } from '@cfworker/json-schema';
import { jsonrepair } from 'jsonrepair';

export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON schema of the tool's input (an object schema), as VS Code gives it. */
  inputSchema?: object;
}

export interface ToolCall {
  callId: string;
  name: string;
  input: Record<string, unknown>;
}

/** A call the model tried to make that cannot run; `message` is written for the model to fix it. */
export interface ToolProblem {
  raw: string;
  message: string;
}

/** One tool call as found in text, before it is checked against the tools. */
export interface FoundCall {
  name: string;
  /** Undefined when the arguments could not be read at all. */
  input: unknown;
  raw: string;
  /** Found inside `<tool_call>` or `<function=…>`: the model meant a call even if it is broken. */
  tagged: boolean;
}

const NAME_KEYS = ['name', 'tool', 'tool_name', 'function', 'functionName'];
const ARG_KEYS = ['arguments', 'parameters', 'input', 'args', 'tool_input', 'params'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON as written, else as mended by jsonrepair (single quotes, trailing commas, a missing brace). */
export function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(jsonrepair(text));
    } catch {
      return undefined;
    }
  }
}

/** The calls an object stands for: `{name, arguments}` in its spellings, OpenAI's `{function:{…}}`, or a list of them. */
export function callsInValue(value: unknown, raw: string, tagged: boolean): FoundCall[] {
  if (Array.isArray(value)) return value.flatMap((item) => callsInValue(item, raw, tagged));
  if (!isRecord(value)) return [];
  if (Array.isArray(value.tool_calls)) return callsInValue(value.tool_calls, raw, tagged);
  if (isRecord(value.function)) return callsInValue(value.function, raw, tagged);
  const nameKey = NAME_KEYS.find((k) => typeof value[k] === 'string' && (value[k] as string).trim() !== '');
  const argKey = ARG_KEYS.find((k) => k in value);
  // A bare object needs both a name and arguments to count: `{"name": "my-package", …}` is just JSON.
  if (!nameKey || (!argKey && !tagged)) return [];
  let input = argKey ? value[argKey] : {};
  if (typeof input === 'string') input = input.trim() === '' ? {} : parseLenient(input);
  if (input === null) input = {};
  return [{ name: (value[nameKey] as string).trim(), input, raw, tagged }];
}

/** Qwen3-Coder's XML form: `<function=name><parameter=key>value</parameter>…</function>`. */
export function callsInXml(text: string, raw: string): FoundCall[] {
  const calls: FoundCall[] = [];
  const fn = /<function=([^>\n]+)>([\s\S]*?)(?:<\/function>|$)/g;
  for (let m = fn.exec(text); m; m = fn.exec(text)) {
    const input: Record<string, unknown> = {};
    const param = /<parameter=([^>\n]+)>([\s\S]*?)(?:<\/parameter>|(?=<parameter=)|$)/g;
    for (let p = param.exec(m[2]); p; p = param.exec(m[2])) {
      // The template puts each value on lines of its own: drop exactly that framing newline.
      input[p[1].trim()] = p[2].replace(/^\n/, '').replace(/\n$/, '');
    }
    calls.push({ name: m[1].trim(), input, raw, tagged: true });
  }
  return calls;
}

/** The calls in the body of a `<tool_call>` block: JSON (possibly broken) or the XML form. */
export function callsInTagBody(body: string, raw: string): FoundCall[] {
  if (/<function=/.test(body)) return callsInXml(body, raw);
  const trimmed = stripFence(body.trim());
  const value = parseLenient(trimmed);
  const calls = callsInValue(value, raw, true);
  if (calls.length > 0) return calls;
  // A name we can still read tells the model which call failed.
  const name = /"(?:name|tool)"\s*:\s*"([^"]+)"/.exec(trimmed)?.[1];
  return [{ name: name ?? '', input: undefined, raw, tagged: true }];
}

function stripFence(text: string): string {
  const m = /^```[\w-]*\n([\s\S]*?)\n?```$/.exec(text);
  return m ? m[1] : text;
}

/** Coerces string values to the types the schema asks for (the XML form only has strings; models write "5"). */
function coerce(input: Record<string, unknown>, schema: object | undefined): Record<string, unknown> {
  const properties = isRecord(schema) && isRecord(schema.properties) ? schema.properties : undefined;
  if (!properties) return input;
  const out: Record<string, unknown> = { ...input };
  for (const [key, value] of Object.entries(input)) {
    const prop = properties[key];
    if (typeof value !== 'string' || !isRecord(prop)) continue;
    const types = Array.isArray(prop.type) ? prop.type : [prop.type];
    if (types.includes('string')) continue;
    const text = value.trim();
    if ((types.includes('number') || types.includes('integer')) && text !== '' && !Number.isNaN(Number(text))) out[key] = Number(text);
    else if (types.includes('boolean') && /^(true|false)$/i.test(text)) out[key] = text.toLowerCase() === 'true';
    else if (types.includes('object') || types.includes('array')) {
      const parsed = parseLenient(text);
      if (parsed !== undefined) out[key] = parsed;
    }
  }
  return out;
}

const validators = new WeakMap<object, Validator>();

function validatorFor(schema: object): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(schema as Schema, '7', false);
    validators.set(schema, validator);
  }
  return validator;
}

/** What the schema says is wrong, in a line the model can act on. */
function schemaErrors(input: Record<string, unknown>, schema: object | undefined): string | undefined {
  if (!schema || !isRecord(schema) || Object.keys(schema).length === 0) return undefined;
  const result = validatorFor(schema).validate(input);
  if (result.valid) return undefined;
  // Leaf errors name the property; the summaries above them repeat it.
  const leaves = result.errors.filter((e) => e.keyword !== 'properties' && e.keyword !== '$ref');
  return [...new Set((leaves.length ? leaves : result.errors).map((e) => e.error.replace(/\.$/, '')))].slice(0, 4).join('; ');
}

export interface CheckedCalls {
  calls: ToolCall[];
  problems: ToolProblem[];
}

/** Keeps the calls that name a known tool with valid arguments; explains every other one. */
export function checkCalls(found: readonly FoundCall[], tools: readonly ToolSpec[], newId: () => string): CheckedCalls {
  const calls: ToolCall[] = [];
  const problems: ToolProblem[] = [];
  const names = tools.map((t) => t.name);
  const available = names.length ? `Available tools: ${names.join(', ')}.` : 'No tools are available: answer in text.';
  for (const call of found) {
    const tool = tools.find((t) => t.name === call.name) ?? tools.find((t) => t.name.toLowerCase() === call.name.toLowerCase());
    if (!tool) {
      const named = call.name ? `There is no tool named "${call.name}".` : 'The tool call has no readable tool name.';
      problems.push({ raw: call.raw, message: `${named} ${available}` });
      continue;
    }
    if (!isRecord(call.input)) {
      problems.push({ raw: call.raw, message: `The arguments of the call to "${tool.name}" are not a JSON object. Send them as {"name": "${tool.name}", "arguments": {…}}.` });
      continue;
    }
    const input = coerce(call.input, tool.inputSchema);
    const invalid = schemaErrors(input, tool.inputSchema);
    if (invalid) {
      problems.push({ raw: call.raw, message: `The arguments of the call to "${tool.name}" do not match its input schema: ${invalid}.` });
      continue;
    }
    calls.push({ callId: newId(), name: tool.name, input });
  }
  return { calls, problems };
}

/** The message that goes back to the model after a failed call, so it can try again. */
export function problemMessage(problems: readonly ToolProblem[]): string {
  const lines = problems.map((p) => `- ${p.message}`);
  return `Your tool call could not be run:\n${lines.join('\n')}\nCall the tool again with a corrected call, or answer in text.`;
}
