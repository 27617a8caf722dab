// One answer stream: how completions, chat and actions read a generation or chat stream. Every
// stream ends in exactly one way, so a truncated answer can never pass for a whole one.
// Pure (no `vscode`, no client library).

import type { GenerationStats, StreamChunk } from './backend';
import { BackendError, describe, isAbort, toBackendError, type BackendErrorContext } from './errors';

/**
 * How an answer ended:
 * - `done`: the server sent its final chunk (or the reader stopped early on purpose, `stoppedEarly`);
 * - `length`: the final chunk says the token limit cut it (`done_reason: "length"`);
 * - `incomplete`: the stream closed without a final chunk (server died, proxy cut it);
 * - `aborted`: our own signal was aborted, whatever the server had sent by then;
 * - `error`: the server or the connection failed (`error` says how).
 */
export type AnswerEnd = 'done' | 'length' | 'incomplete' | 'aborted' | 'error';

export interface Answer {
  end: AnswerEnd;
  /** Everything received, also when the answer did not end well (chat keeps a partial answer). */
  text: string;
  stats?: GenerationStats;
  /** Set for `error` and `incomplete`: the typed failure and the sentence a person reads. */
  error?: BackendError;
  /** The reader stopped before the server finished (`stopWhen`); the request is being closed. */
  stoppedEarly?: boolean;
  /** Milliseconds from the call to the first non-empty text, by `now`. */
  firstTextMs?: number;
}

export interface ReadOptions {
  /** The request's own signal: once aborted, the answer ends `aborted`. */
  signal?: AbortSignal;
  /** Called after each non-empty piece with the piece and the whole text so far. */
  onText?(piece: string, text: string): void;
  /**
   * Stop reading once this is true of the text so far (a one-line completion saw its newline):
   * the answer ends `done` with `stoppedEarly`, and the request is closed on the next turn of the
   * event loop, after the caller has used the text.
   */
  stopWhen?(text: string): boolean;
  now?(): number;
}

/** The sentence for a stream that closed without its final chunk. */
export function incompleteError(ctx: BackendErrorContext): BackendError {
  return new BackendError(
    'unreachable',
    `The answer from ${ctx.host} ended before it was complete. Is the server still running?`,
    ctx,
    undefined,
    'stream ended without a final chunk',
  );
}

/** Reads a stream to its end and says how it ended; never throws. */
export async function readAnswer(chunks: AsyncIterable<StreamChunk>, ctx: BackendErrorContext, options: ReadOptions = {}): Promise<Answer> {
  const { signal, onText, stopWhen } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let text = '';
  let stats: GenerationStats | undefined;
  let firstTextMs: number | undefined;
  let sawFinal = false;
  if (signal?.aborted) return { end: 'aborted', text };
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (signal?.aborted) {
        await closeQuietly(iterator);
        return { end: 'aborted', text, firstTextMs };
      }
      const chunk = next.value;
      if (chunk.text) {
        firstTextMs ??= now() - started;
        text += chunk.text;
        onText?.(chunk.text, text);
      }
      if (chunk.done) {
        sawFinal = true;
        stats = chunk.stats;
        // End the source too: a generator left waiting after its last chunk never runs its
        // `finally` (the reporting decorator reports the success there).
        await closeQuietly(iterator);
        break;
      }
      if (stopWhen?.(text)) {
        // Closing the socket costs about half a millisecond: do it after the caller has the text.
        setImmediate(() => void closeQuietly(iterator));
        return { end: 'done', text, stoppedEarly: true, firstTextMs };
      }
    }
  } catch (error) {
    if (signal?.aborted || isAbort(error)) return { end: 'aborted', text, firstTextMs };
    return { end: 'error', text, error: toBackendError(error, ctx), firstTextMs };
  }
  if (signal?.aborted) return { end: 'aborted', text, stats, firstTextMs };
  if (!sawFinal) return { end: 'incomplete', text, error: incompleteError(ctx), firstTextMs };
  return { end: stats?.doneReason === 'length' ? 'length' : 'done', text, stats, firstTextMs };
}

/** Ends the request behind an iterator we stopped reading (the backend's `finally` aborts it). */
async function closeQuietly(iterator: AsyncIterator<StreamChunk>): Promise<void> {
  try {
    await iterator.return?.(undefined);
  } catch {
    // Already failed or closed: nothing left to end.
  }
}

/** The answer as a thrown error, for callers that only want a whole answer (`done` or `length`). */
export function failureOf(answer: Answer, ctx: BackendErrorContext): BackendError | undefined {
  switch (answer.end) {
    case 'done':
    case 'length':
      return undefined;
    case 'aborted':
      return new BackendError('aborted', describe('aborted', ctx), ctx);
    default:
      return answer.error ?? incompleteError(ctx);
  }
}
