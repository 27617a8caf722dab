// One request from VS Code's Chat to a local model, with tool calls repaired: stream the prose,
// turn text-written calls into real ones, and when a call cannot run, tell the model why and let it
// try again a bounded number of times. Pure: the server call and the output are injected.

import type { AnswerEnd } from '../backend/stream';
import type { LmMessage } from './messages';
import { checkCalls, problemMessage, type FoundCall, type ToolCall, type ToolProblem, type ToolSpec } from './toolCalls';
import { ToolCallScanner } from './toolStream';

export interface ChatAttempt {
  messages: LmMessage[];
  tools: readonly ToolSpec[];
  signal?: AbortSignal;
  onText(piece: string): void;
}

export interface AttemptResult {
  end: AnswerEnd;
  /** Calls the server itself parsed (Ollama's and vLLM's tool parsers), if it did. */
  nativeCalls?: readonly FoundCall[];
  /** Set for `error` and `incomplete`: what a person reads. */
  errorMessage?: string;
}

export interface TurnOutput {
  text(value: string): void;
  toolCall(call: ToolCall): void;
}

export interface TurnOptions {
  /** Corrections sent back to the model before giving up. */
  maxRepairs?: number;
  newId(): string;
}

export type TurnResult =
  | { kind: 'answered' }
  | { kind: 'toolCalls'; calls: ToolCall[]; repairs: number }
  | { kind: 'cancelled' }
  /** The model kept writing calls that cannot run; `problems` are the last attempt's. */
  | { kind: 'unrepairable'; problems: ToolProblem[]; message: string }
  | { kind: 'failed'; message: string };

export async function runToolTurn(
  messages: readonly LmMessage[],
  tools: readonly ToolSpec[],
  chat: (attempt: ChatAttempt) => Promise<AttemptResult>,
  output: TurnOutput,
  options: TurnOptions & { signal?: AbortSignal },
): Promise<TurnResult> {
  const maxRepairs = options.maxRepairs ?? 2;
  const conversation = [...messages];
  for (let repairs = 0; ; repairs++) {
    const scanner = new ToolCallScanner();
    let raw = '';
    const result = await chat({
      messages: conversation,
      tools,
      signal: options.signal,
      onText: (piece) => {
        raw += piece;
        const shown = scanner.push(piece);
        if (shown) output.text(shown);
      },
    });
    if (result.end === 'aborted') return { kind: 'cancelled' };
    const rest = scanner.finish();
    if (rest.text) output.text(rest.text);
    if (result.end === 'error' || result.end === 'incomplete') return { kind: 'failed', message: result.errorMessage ?? 'The model server failed.' };
    const found = [...(result.nativeCalls ?? []), ...rest.found];
    if (found.length === 0) return { kind: 'answered' };
    const checked = checkCalls(found, tools, options.newId);
    // Calls that can run go to VS Code; a broken extra beside them is dropped rather than retried.
    if (checked.calls.length > 0) {
      for (const call of checked.calls) output.toolCall(call);
      return { kind: 'toolCalls', calls: checked.calls, repairs };
    }
    if (repairs >= maxRepairs) {
      const message = `The model's tool call could not be used after ${repairs + 1} tries: ${checked.problems.map((p) => p.message).join(' ')}`;
      return { kind: 'unrepairable', problems: checked.problems, message };
    }
    conversation.push({ role: 'assistant', content: raw }, { role: 'user', content: problemMessage(checked.problems) });
  }
}
