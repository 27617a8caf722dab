// What the simulated model says: rules first (in order), then the default answer, then the
// answer is cut the way Ollama cuts it (stop strings, num_predict) into streamed pieces.

import { sameModel } from './models';
import { tokenize } from './tokens';
import type { Answer, AnswerSource, ChatContext, ChatRule, CompletionRule, GenerateContext } from './types';

export const DEFAULT_COMPLETION = 'sim_completion()';
export const DEFAULT_GENERATE = 'This is the simulator answering a plain prompt.';
export const DEFAULT_CHAT =
  'Here is a function that adds two numbers:\n\n```ts\nfunction add(a: number, b: number): number {\n  return a + b;\n}\n```\n\nCall it as `add(1, 2)`.';

async function resolve<C>(source: AnswerSource<C>, ctx: C): Promise<Answer> {
  return typeof source === 'function' ? source(ctx) : source;
}

export function completionRuleMatches(rule: CompletionRule, ctx: GenerateContext): boolean {
  if (rule.model !== undefined && !sameModel(rule.model, ctx.model)) return false;
  if (rule.whenPrefixEndsWith !== undefined && !ctx.prefix.endsWith(rule.whenPrefixEndsWith)) return false;
  if (rule.whenPrefixIncludes !== undefined && !ctx.prefix.includes(rule.whenPrefixIncludes)) return false;
  if (rule.whenSuffixStartsWith !== undefined && !ctx.suffix.startsWith(rule.whenSuffixStartsWith)) return false;
  if (rule.whenPromptIncludes !== undefined && !ctx.prompt.includes(rule.whenPromptIncludes)) return false;
  return true;
}

export function chatRuleMatches(rule: ChatRule, ctx: ChatContext): boolean {
  if (rule.model !== undefined && !sameModel(rule.model, ctx.model)) return false;
  if (rule.whenLastUserIncludes !== undefined && !ctx.lastUser.includes(rule.whenLastUserIncludes)) return false;
  if (rule.whenSystemIncludes !== undefined && !ctx.system.includes(rule.whenSystemIncludes)) return false;
  if (rule.whenAnyIncludes !== undefined && !ctx.messages.some((m) => m.content.includes(rule.whenAnyIncludes ?? ''))) return false;
  return true;
}

export async function answerGenerate(
  rules: readonly CompletionRule[],
  fallbackFim: AnswerSource<GenerateContext>,
  fallbackPlain: AnswerSource<GenerateContext>,
  ctx: GenerateContext,
): Promise<Answer> {
  const rule = rules.find((r) => completionRuleMatches(r, ctx));
  return resolve(rule ? rule.answer : ctx.fim ? fallbackFim : fallbackPlain, ctx);
}

export async function answerChat(rules: readonly ChatRule[], fallback: AnswerSource<ChatContext>, ctx: ChatContext): Promise<Answer> {
  const rule = rules.find((r) => chatRuleMatches(r, ctx));
  return resolve(rule ? rule.answer : fallback, ctx);
}

export interface PlannedAnswer {
  pieces: string[];
  doneReason: 'stop' | 'length';
  tokenMs?: number;
}

/**
 * The pieces actually generated: the answer cut before the first stop string (which is never
 * sent, as in Ollama), then capped at num_predict tokens ("length" when the cap is reached).
 */
export function planAnswer(answer: Answer, stop: readonly string[], numPredict: number | undefined): PlannedAnswer {
  const obj = typeof answer === 'string' ? { text: answer } : answer;
  let pieces = obj.chunks ? obj.chunks.filter((c) => c !== '') : tokenize(obj.text ?? '');
  const full = pieces.join('');
  let cut = -1;
  for (const s of stop) {
    if (!s) continue;
    const i = full.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  if (cut >= 0) {
    const kept: string[] = [];
    let len = 0;
    for (const p of pieces) {
      if (len + p.length <= cut) kept.push(p);
      else if (len < cut) kept.push(p.slice(0, cut - len));
      len += p.length;
      if (len >= cut) break;
    }
    pieces = kept;
  }
  let doneReason: PlannedAnswer['doneReason'] = 'stop';
  if (numPredict !== undefined && numPredict > 0 && pieces.length >= numPredict) {
    // The model produces num_predict tokens and is cut before it could emit end-of-text.
    pieces = pieces.slice(0, numPredict);
    doneReason = 'length';
  }
  return { pieces, doneReason, ...(obj.tokenMs !== undefined ? { tokenMs: obj.tokenMs } : {}) };
}
