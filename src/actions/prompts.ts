// The chat prompts of the actions, and the request options that go with them. Pure.

import type { CallLimits, ChatMessage, ChatRequest, ModelOptions } from '../backend/backend';
import type { DocConvention } from './docstring';
import type { TestMode } from './testEdit';
import type { TestPlan } from './testPlan';
import { estimateTokens, fence } from './text';
import type { CommitStyle } from '../settings';
import type { SeverityName } from '../workspace/diagnostics';

const FENCE_TAGS: Record<string, string> = {
  typescriptreact: 'tsx',
  javascriptreact: 'jsx',
  csharp: 'cs',
  shellscript: 'sh',
  'objective-c': 'objc',
  'objective-cpp': 'objcpp',
};

export function fenceTag(languageId: string): string {
  return FENCE_TAGS[languageId] ?? languageId;
}

const IDENTITY = 'You are Qwen Local, a coding assistant running on the user\'s own machine inside VS Code.';

function system(role: string, extra: string): ChatMessage {
  const custom = extra.trim();
  return { role: 'system', content: `${IDENTITY} ${role}${custom ? `\n\n${custom}` : ''}` };
}

/** Surrounding lines, nearest first in priority, within a character budget. */
export function surroundingContext(lines: readonly string[], startLine: number, endLine: number, budgetChars: number): { before: string; after: string } {
  const before: string[] = [];
  const after: string[] = [];
  let used = 0;
  let up = startLine - 1;
  let down = endLine + 1;
  // Alternate, a little more context before than after.
  while (up >= 0 || down < lines.length) {
    let moved = false;
    for (let k = 0; k < 2 && up >= 0; k++) {
      if (used + lines[up].length + 1 > budgetChars) {
        up = -1;
        break;
      }
      before.unshift(lines[up]);
      used += lines[up].length + 1;
      up--;
      moved = true;
    }
    if (down < lines.length) {
      if (used + lines[down].length + 1 > budgetChars) down = lines.length;
      else {
        after.push(lines[down]);
        used += lines[down].length + 1;
        down++;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { before: before.join('\n'), after: after.join('\n') };
}

export interface EditPromptInput {
  instruction: string;
  /** The code to rewrite, dedented. */
  code: string;
  path: string;
  languageId: string;
  before: string;
  after: string;
  extraSystem: string;
}

export function buildEditPrompt(input: EditPromptInput): ChatMessage[] {
  const tag = fenceTag(input.languageId);
  const parts = [`File: ${input.path} (${input.languageId})`];
  if (input.before.trim()) parts.push(`Code before the part to edit (for context, do not repeat it):\n${fence(input.before, tag)}`);
  parts.push(`The part to edit:\n${fence(input.code, tag)}`);
  if (input.after.trim()) parts.push(`Code after the part to edit (for context, do not repeat it):\n${fence(input.after, tag)}`);
  parts.push(`Instruction: ${input.instruction.trim()}`);
  parts.push('Reply with the complete new version of the part to edit, in one fenced code block, and nothing else.');
  return [
    system(
      'You rewrite a part of a file as the user instructs. Change only what the instruction asks for; keep everything else, including comments, names and formatting, as it is. Reply with one fenced code block holding the full replacement of the part to edit, with no explanation before or after it.',
      input.extraSystem,
    ),
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export interface DocstringPromptInput {
  code: string;
  path: string;
  languageId: string;
  name?: string;
  convention: DocConvention;
  extraSystem: string;
}

export function buildDocstringPrompt(input: DocstringPromptInput): ChatMessage[] {
  const conv = input.convention;
  const what = input.name ? `\`${input.name}\`` : 'the declaration';
  const where = conv.placement === 'inside' ? 'It goes directly under the signature.' : 'It goes directly above the declaration.';
  return [
    system(
      'You write documentation comments for code. Describe what the code does and its contract (parameters, return value, errors), briefly and accurately, without repeating the implementation. Reply with only the comment in one fenced code block: do not repeat the code.',
      input.extraSystem,
    ),
    {
      role: 'user',
      content: [
        `File: ${input.path} (${input.languageId})`,
        `Write a ${conv.label} for ${what}. ${where} ${conv.guidance}`,
        `The convention looks like this:\n${fence(conv.example, fenceTag(input.languageId))}`,
        `The code:\n${fence(input.code, fenceTag(input.languageId))}`,
        'Reply with only the doc comment, in one fenced code block.',
      ].join('\n\n'),
    },
  ];
}

export interface TestsPromptInput {
  code: string;
  /** True when `code` is the whole source file rather than one function. */
  wholeFile: boolean;
  name?: string;
  path: string;
  languageId: string;
  plan: TestPlan;
  testPath: string;
  mode: TestMode;
  /** The start of the existing test file (imports, helpers, style), when appending. */
  existingTest?: string;
  /** How the test file refers to the code: a relative import or a module path, when known. */
  importHint?: string;
  extraSystem: string;
}

function testsInstruction(input: TestsPromptInput): string {
  const lang = input.plan.language;
  switch (input.mode) {
    case 'create':
      return `Write the complete new test file ${input.testPath}, with its ${lang === 'go' || lang === 'java' || lang === 'kotlin' ? 'package line and ' : ''}imports.`;
    case 'append':
      if (lang === 'java' || lang === 'kotlin') {
        return `The test class in ${input.testPath} exists (its start is shown above). Reply with only the new test methods to add inside that class, with their annotations; put any import lines they need first.`;
      }
      return `The test file ${input.testPath} exists (its start is shown above). Reply with only the new tests to add at its end; put any import lines they need first (imports the file already has are kept).`;
    case 'rustModule':
      return 'The file already has a `#[cfg(test)] mod tests` module. Reply with only the new #[test] functions to add inside it.';
    case 'rustNewModule':
      return 'Reply with a `#[cfg(test)] mod tests { use super::*; … }` module to add at the end of this file.';
  }
}

export function buildTestsPrompt(input: TestsPromptInput): ChatMessage[] {
  const tag = fenceTag(input.languageId);
  const subject = input.wholeFile ? `the file ${input.path}` : `${input.name ? `\`${input.name}\`` : 'the code below'} from ${input.path}`;
  const parts = [`Write unit tests for ${subject}.`, `Framework: ${input.plan.framework}. ${input.plan.frameworkHint}`];
  if (input.importHint) parts.push(input.importHint);
  parts.push(`The code under test:\n${fence(input.code, tag)}`);
  if (input.existingTest?.trim()) parts.push(`The start of ${input.testPath}:\n${fence(input.existingTest, tag)}`);
  parts.push(testsInstruction(input));
  parts.push('Cover the normal cases, edge cases and error cases; give each test a name that says what it checks; do not test private details. Reply with the code in one fenced code block and nothing else.');
  return [
    system(
      'You write focused, deterministic unit tests that compile and pass against the code as it is. Reply with one fenced code block and no explanation.',
      input.extraSystem,
    ),
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export interface DiagnosticInfo {
  /** 1-based line in the file. */
  line: number;
  message: string;
  source?: string;
  code?: string;
  severity: SeverityName;
  /** The text of the line the problem is on. */
  lineText: string;
}

export interface FixPromptInput {
  code: string;
  path: string;
  languageId: string;
  /** 1-based first line of `code` in the file. */
  firstLine: number;
  diagnostics: DiagnosticInfo[];
  before: string;
  after: string;
  extraSystem: string;
}

export function buildFixPrompt(input: FixPromptInput): ChatMessage[] {
  const tag = fenceTag(input.languageId);
  const problems = input.diagnostics
    .map((d) => {
      const origin = [d.source, d.code].filter(Boolean).join(' ');
      return `- ${d.severity} on line ${d.line}${origin ? ` (${origin})` : ''}: ${d.message}\n  The line: \`${d.lineText.trim()}\``;
    })
    .join('\n');
  const parts = [`File: ${input.path} (${input.languageId})`];
  if (input.before.trim()) parts.push(`Code before (for context, do not repeat it):\n${fence(input.before, tag)}`);
  parts.push(`The code to fix (lines ${input.firstLine}–${input.firstLine + input.code.split('\n').length - 1}):\n${fence(input.code, tag)}`);
  if (input.after.trim()) parts.push(`Code after (for context, do not repeat it):\n${fence(input.after, tag)}`);
  parts.push(`The problem${input.diagnostics.length > 1 ? 's' : ''} reported:\n${problems}`);
  parts.push('Reply with the complete fixed version of the code to fix, in one fenced code block, and nothing else.');
  return [
    system(
      'You fix problems that the compiler or linter reports. Make the smallest change that removes the problem without hiding it (no disabling comments, no `any` casts, no deleting the code) and keep everything else as it is. Reply with one fenced code block holding the full fixed code, with no explanation.',
      input.extraSystem,
    ),
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export interface CommitPromptInput {
  diff: string;
  style: CommitStyle;
  /** Subjects of recent commits, newest first, to match the project's habits. */
  recentSubjects?: string[];
  /** True when the diff is of unstaged changes. */
  unstaged?: boolean;
  extraSystem: string;
}

export function buildCommitPrompt(input: CommitPromptInput): ChatMessage[] {
  const format =
    input.style === 'conventional'
      ? 'Use the Conventional Commits format: `type(optional scope): summary` with type one of feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert; add `!` after the type for a breaking change.'
      : 'Start with a summary line in the imperative mood ("Add …", "Fix …"), without a type prefix.';
  const parts = [
    `Write a commit message for these ${input.unstaged ? 'unstaged' : 'staged'} changes.`,
    `${format} Keep the summary line under 72 characters and without a final period. If the change needs explaining, add a blank line and a short body wrapped at 72 characters saying what changed and why. Do not describe each file mechanically.`,
  ];
  if (input.recentSubjects?.length) parts.push(`Recent commit subjects in this repository, for style:\n${input.recentSubjects.slice(0, 10).map((s) => `- ${s}`).join('\n')}`);
  parts.push(`The diff:\n${fence(input.diff, 'diff')}`);
  parts.push('Reply with only the commit message: no quotes, no code fence, no explanation.');
  return [
    system('You write clear, accurate git commit messages from diffs.', input.extraSystem),
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** Context window sizes the actions use: few distinct values, so Ollama does not reload the model for each. */
export const CONTEXT_SIZES = [8192, 16384, 32768] as const;

export function promptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}

export interface OptionsInput {
  temperature: number;
  /** The longest answer this action expects. */
  maxOutputTokens: number;
  /** The window the model is already loaded with (shared with chat); used whenever it is enough. */
  preferredNumCtx?: number;
}

/**
 * Request options sized to the prompt: Ollama's default context (2–4k tokens) would silently cut a
 * long prompt. Undefined when even the largest window is too small: the caller asks for less input.
 */
export function chatOptions(messages: readonly ChatMessage[], input: OptionsInput): ModelOptions | undefined {
  const need = promptTokens(messages) + input.maxOutputTokens + 256;
  const numCtx = input.preferredNumCtx && input.preferredNumCtx >= need ? input.preferredNumCtx : CONTEXT_SIZES.find((size) => size >= need);
  if (numCtx === undefined) return undefined;
  return { num_ctx: numCtx, num_predict: input.maxOutputTokens, temperature: input.temperature };
}

/** The answer length an edit of `code` may need: about twice the code, within bounds. */
export function outputBudgetFor(code: string, min = 512, max = 8192): number {
  return Math.min(max, Math.max(min, estimateTokens(code) * 2 + 256));
}

/** Generous limits: a cold load of a large chat model can take minutes, and so can a long answer. */
export const ACTION_LIMITS: CallLimits = { firstTokenMs: 180_000, totalMs: 600_000 };

export interface ActionModel {
  model: string;
  temperature: number;
  keepAlive: string;
  numCtx?: number;
}

export type RequestResult = { ok: true; request: ChatRequest } | { ok: false; reason: string };

/** The chat request for an action's messages, sized to them; a reason when they are too large. */
export function actionRequest(messages: ChatMessage[], model: ActionModel, maxOutputTokens: number): RequestResult {
  const options = chatOptions(messages, { temperature: model.temperature, maxOutputTokens, preferredNumCtx: model.numCtx });
  if (!options) {
    return {
      ok: false,
      reason: `This is too much code for one request (about ${promptTokens(messages)} tokens). Select a smaller part and try again.`,
    };
  }
  return { ok: true, request: { model: model.model, messages, options, keepAlive: model.keepAlive, limits: ACTION_LIMITS } };
}
