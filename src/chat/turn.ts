// One turn of a chat: the prompt for one answer, the request, and how the answer ended. Pure: no
// `vscode`. The answer is read with the one answer stream (backend/stream.ts) so that chat, actions
// and completions agree on what a finished, cut, stopped or broken answer is.

import type { Backend, GenerationStats, StreamChunk } from '../backend/backend';
import { readAnswer } from '../backend/stream';
import { formatError, type Logger } from '../log';
import type { MessageStatus } from '../protocol';
import { buildPrompt, describeCut, type PromptMessage } from './context';
import { AnswerGuard } from './limits';
import type { ThinkDelta, ThinkStream } from './think';
import type { StoredError, StoredMessage, StoredStats } from './types';

export const BASE_SYSTEM_PROMPT = [
  'You are Qwen Local, a coding assistant inside Visual Studio Code, running entirely on the user\'s own machine.',
  'Answer questions about code clearly and concisely, in Markdown.',
  'Put code in fenced code blocks with a language tag.',
  'When you change existing code, show the complete changed function or block so it can be applied as it is.',
  'Files, selections and problems the user attached come before their question.',
].join(' ');

export const CONTINUE_INSTRUCTION =
  'Your previous answer was cut off. Continue exactly where it stopped: no introduction, no repetition. If it stopped inside a code block, continue the code without opening a new block.';

/** Chat answers may legitimately stream for many minutes on a CPU; the user can stop them. */
const ANSWER_TOTAL_MS = 30 * 60_000;

export interface ChatSettings {
  systemPrompt: string;
  temperature: number;
  keepAlive: string;
}

export type TurnStatus = Exclude<MessageStatus, 'streaming'>;

export interface TurnDeps {
  backend: Backend;
  settings: ChatSettings;
  estimate(text: string): number;
  /** The context window for this model (num_ctx), already fitted to what the model takes. */
  numCtx: number;
  log: Logger;
  /**
   * Holds the server for a foreground request until the returned function is called (completions
   * wait meanwhile), the same hold actions take.
   */
  holdServer?(): () => void;
}

export interface TurnInput {
  assistant: StoredMessage;
  model: string;
  history: PromptMessage[];
  current: PromptMessage;
  think: ThinkStream;
  signal: AbortSignal;
  /** Stops the request (the answer passed a hard limit). */
  abort(): void;
  /** A piece of the answer was applied to `assistant` (content and thinking). */
  onDelta(delta: ThinkDelta): void;
  /** `assistant` changed otherwise (a notice about what was left out). */
  onUpdate(): void;
}

export interface TurnOutcome {
  status: TurnStatus;
  error?: StoredError;
  stats?: StoredStats;
}

/** Tokens kept for the answer out of the context window. */
export function numCtxOf(value: number | (() => number)): number {
  return typeof value === 'function' ? value() : value;
}

export function answerTokens(numCtx: number): number {
  return Math.max(256, Math.min(4096, Math.floor(numCtx / 4)));
}

export function systemPrompt(extra: string): string {
  return extra.trim() ? `${BASE_SYSTEM_PROMPT}\n\n${extra.trim()}` : BASE_SYSTEM_PROMPT;
}

/** Error sentences as the chat shows them: plain words, no Markdown backticks (the page shows text). */
export function plainWords(message: string): string {
  return message.replace(/`([^`\n]+)`/g, '"$1"');
}

function statsOf(s: GenerationStats | undefined): StoredStats | undefined {
  if (!s) return undefined;
  return {
    doneReason: s.doneReason,
    evalCount: s.evalCount,
    evalDurationNs: s.evalDurationNs,
    totalDurationNs: s.totalDurationNs,
    promptEvalCount: s.promptEvalCount,
  };
}

/** Sends one prompt and streams its answer into `input.assistant`; never throws. */
export async function runTurn(deps: TurnDeps, input: TurnInput): Promise<TurnOutcome> {
  const { backend, settings, numCtx, log } = deps;
  const { assistant, model, think } = input;
  const apply = (delta: ThinkDelta) => {
    if (!delta.content && !delta.thinking && !delta.replace) return;
    const split = think.current;
    assistant.content = split.answer;
    if (split.thinking) assistant.thinking = split.thinking;
    else delete assistant.thinking;
    input.onDelta(delta);
  };
  const numPredict = answerTokens(numCtx);
  const prompt = buildPrompt({
    system: systemPrompt(settings.systemPrompt),
    history: input.history,
    current: input.current,
    limitTokens: numCtx - numPredict,
    estimate: deps.estimate,
  });
  const notice = describeCut(prompt.cut);
  if (notice) {
    assistant.notice = notice;
    input.onUpdate();
  }
  log.debug(`chat ${model}: ${prompt.messages.length} messages, ~${prompt.tokens} tokens, num_ctx ${numCtx}`);

  const guard = new AnswerGuard();
  let capped: StoredError | undefined;
  const release = deps.holdServer?.();
  let answer: Awaited<ReturnType<typeof readAnswer>>;
  let chunks: AsyncGenerator<StreamChunk> | undefined;
  try {
    // Inside a generator, so that even a request that fails at once ends as an answer.
    chunks = (async function* () {
      yield* backend.chat({
        model,
        messages: prompt.messages,
        options: { num_ctx: numCtx, num_predict: numPredict, temperature: settings.temperature },
        keepAlive: settings.keepAlive,
        signal: input.signal,
        limits: { totalMs: ANSWER_TOTAL_MS },
      });
    })();
    answer = await readAnswer(chunks, { host: backend.host, model }, {
      signal: input.signal,
      onText: (piece) => {
        if (capped) return;
        apply(think.push(piece));
        const over = guard.add(piece);
        if (over) {
          // Keep what came; the request ends at the server too.
          capped = { kind: 'tooLong', message: over, model };
          input.abort();
        }
      },
    });
  } finally {
    // readAnswer stops at the final chunk without ending the stream: end it here, so the request
    // (and its socket) is released now rather than left suspended.
    await chunks?.return(undefined).catch(() => undefined);
    release?.();
  }
  apply(think.push('', true));

  const stats = statsOf(answer.stats);
  if (capped) return { status: 'error', error: capped, ...(stats ? { stats } : {}) };
  switch (answer.end) {
    case 'aborted':
      return { status: 'stopped', ...(stats ? { stats } : {}) };
    case 'done':
    case 'length':
      return { status: answer.end, ...(stats ? { stats } : {}) };
    default: {
      const error = answer.error!;
      // One line at warn (an offline server is an expected state); the stack only at debug.
      log.warn(`Chat answer from ${backend.host} (${model}) failed: ${error.kind}${error.detail ? `: ${error.detail}` : ''}`);
      log.debug(formatError(error));
      const kind = answer.end === 'incomplete' ? 'incomplete' : error.kind;
      return { status: 'error', error: { kind, message: plainWords(error.message), model } };
    }
  }
}
