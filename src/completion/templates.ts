// Fill-in-the-middle prompt formats per model family, as data.
// Prompts are sent with `raw: true`: the extension owns the format, never Ollama's `suffix` path.
// Stable parts come first (repo name, context files in a fixed order, then the prefix) so that
// Ollama's prompt cache is reused from one keystroke to the next.

import type { ModelOptions } from '../backend/backend';

export type TemplateFamily = 'qwen2.5-coder' | 'qwen3-coder' | 'codellama' | 'deepseek-coder' | 'starcoder2' | 'codestral';

/** Another file's content given to the model as context (already cut to the budget). */
export interface ContextFile {
  /** Path shown to the model; relative to the workspace when possible. */
  path: string;
  content: string;
}

export interface FimInput {
  prefix: string;
  suffix: string;
  /** Path of the current file as shown to the model. */
  path: string;
  /** Workspace (repository) name; used only by repo-level formats. */
  repoName: string;
  /** Context from other files, in the order they should appear (see `orderContextFiles`). */
  contextFiles: readonly ContextFile[];
}

/** Placeholders are `{prefix}`, `{suffix}`, `{path}`, `{repo}`, `{content}`; replaced in one pass. */
interface RepoLevelFormat {
  header: string;
  file: string;
  /** The current file: path and the FIM part. */
  current: string;
}

export interface FimTemplate {
  family: TemplateFamily;
  /** File-level FIM. */
  fim: string;
  /** Repo-level FIM with other files; undefined when the family has no such format (raw FIM only). */
  repo?: RepoLevelFormat;
  /** Every special token of the family: sent as stop strings and stripped if one leaks through. */
  specialTokens: readonly string[];
  /** Context window for completions; fixed per model because a change makes Ollama reload it. */
  numCtx: number;
}

const QWEN_SPECIALS = [
  '<|endoftext|>',
  '<|fim_prefix|>',
  '<|fim_suffix|>',
  '<|fim_middle|>',
  '<|fim_pad|>',
  '<|repo_name|>',
  '<|file_sep|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|cursor|>',
] as const;

const QWEN_FIM = '<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>';

/** Sources: QwenLM/Qwen2.5-Coder examples/Qwen2.5-Coder.md, Qwen3-Coder README, the StarCoder2
 * paper (section 5.1), the CodeLlama and DeepSeek-Coder model cards, Mistral's Codestral FIM. */
export const TEMPLATES: Readonly<Record<TemplateFamily, FimTemplate>> = {
  'qwen2.5-coder': {
    family: 'qwen2.5-coder',
    fim: QWEN_FIM,
    repo: {
      header: '<|repo_name|>{repo}\n',
      file: '<|file_sep|>{path}\n{content}\n',
      current: `<|file_sep|>{path}\n${QWEN_FIM}`,
    },
    specialTokens: QWEN_SPECIALS,
    numCtx: 4096,
  },
  'qwen3-coder': {
    family: 'qwen3-coder',
    fim: QWEN_FIM,
    specialTokens: QWEN_SPECIALS,
    numCtx: 4096,
  },
  codellama: {
    family: 'codellama',
    fim: '<PRE> {prefix} <SUF>{suffix} <MID>',
    specialTokens: ['<PRE>', '<SUF>', '<MID>', '<EOT>', '</s>'],
    numCtx: 4096,
  },
  'deepseek-coder': {
    family: 'deepseek-coder',
    fim: '<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>',
    specialTokens: ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>', '<|EOT|>'],
    numCtx: 4096,
  },
  starcoder2: {
    family: 'starcoder2',
    fim: '<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>',
    repo: {
      header: '<repo_name>{repo}',
      file: '<file_sep>{path}\n{content}',
      current: '<file_sep><fim_prefix>{path}\n{prefix}<fim_suffix>{suffix}<fim_middle>',
    },
    specialTokens: ['<|endoftext|>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<fim_pad>', '<repo_name>', '<file_sep>'],
    numCtx: 4096,
  },
  codestral: {
    family: 'codestral',
    // Suffix-prefix-middle order: the prefix ends the prompt, so only the suffix breaks the cache.
    fim: '[SUFFIX]{suffix}[PREFIX]{prefix}',
    specialTokens: ['[SUFFIX]', '[PREFIX]', '[MIDDLE]', '[INST]', '[/INST]', '</s>'],
    numCtx: 4096,
  },
};

/** The template for an Ollama model name; Qwen2.5-Coder (the product's default) when unknown. */
export function templateFor(model: string): FimTemplate {
  const name = model.toLowerCase();
  if (/qwen3[^/]*coder/.test(name)) return TEMPLATES['qwen3-coder'];
  if (/qwen/.test(name)) return TEMPLATES['qwen2.5-coder'];
  if (/codellama|code-llama/.test(name)) return TEMPLATES.codellama;
  if (/deepseek-coder/.test(name)) return TEMPLATES['deepseek-coder'];
  if (/starcoder2/.test(name)) return TEMPLATES.starcoder2;
  if (/codestral/.test(name)) return TEMPLATES.codestral;
  return TEMPLATES['qwen2.5-coder'];
}

function fill(template: string, values: Readonly<Record<string, string>>): string {
  // One pass: text inside the code (e.g. a literal "{suffix}") is never substituted again.
  return template.replace(/\{(prefix|suffix|path|repo|content)\}/g, (_, key: string) => values[key] ?? '');
}

/** Context files in a deterministic order (by path), so the same set gives the same prompt start. */
export function orderContextFiles(files: readonly ContextFile[]): ContextFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.content < b.content ? -1 : 1));
}

/** The raw prompt for a template; repo-level only when the family has it and there is context. */
export function renderPrompt(template: FimTemplate, input: FimInput): string {
  const { prefix, suffix, path, repoName } = input;
  if (!template.repo || input.contextFiles.length === 0) return fill(template.fim, { prefix, suffix });
  const parts = [fill(template.repo.header, { repo: repoName })];
  for (const file of input.contextFiles) parts.push(fill(template.repo.file, { path: file.path, content: file.content }));
  parts.push(fill(template.repo.current, { path, prefix, suffix }));
  return parts.join('');
}

/** Tokens of a rendered prompt outside the code itself, for the budget. */
export function templateOverheadChars(template: FimTemplate, input: Omit<FimInput, 'prefix' | 'suffix'>): number {
  return renderPrompt(template, { ...input, prefix: '', suffix: '' }).length;
}

export type CompletionLength = 'line' | 'block';

/** Token limits for the answer: a line is short, a block may run to a small function. */
export const NUM_PREDICT: Readonly<Record<CompletionLength, number>> = { line: 64, block: 256 };

/** Ollama options for one completion request. `num_ctx` never varies per request for one model. */
/** `stopAtNewline` false: the policy before stop-at-the-line (kept for the benchmark's comparison). */
export function requestOptions(template: FimTemplate, length: CompletionLength, stopAtNewline = true): ModelOptions {
  return {
    num_ctx: template.numCtx,
    num_predict: NUM_PREDICT[length],
    // Low temperature: completions should be the likely continuation, not creative.
    temperature: 0.1,
    top_p: 0.9,
    // One line: the server stops at its end instead of generating tokens that are cut away.
    // A block keeps reading and is stopped by the engine (it decides where the block ends).
    stop: length === 'line' && stopAtNewline ? [...template.specialTokens, '\n'] : [...template.specialTokens],
  };
}
