// What the index tells a person (Show Index Status) and a model (the search tool's answer, the
// @codebase context). Pure.

import { estimateTokens } from '../completion/budget';
import { fitHitsToBudget, type SearchHit, type SearchResult } from './codebaseIndex';
import type { BuildReport, Embedder } from './service';
import type { LoadResult } from './store';
import { unsafeGlobReason } from '../workspace/exclude';

export interface IndexFacts {
  workspace: string | undefined;
  consent: 'yes' | 'no' | undefined;
  files: number;
  chunks: number;
  vectors: number;
  pending: number;
  storedModel: string | undefined;
  embedder: Embedder;
  /** Words only: the embedding model to pull (its size, that it fits) or why none can be (embeddingOffer.ts). */
  embeddingHint?: string;
  indexing: boolean;
  paused: boolean;
  lastBuild: BuildReport | undefined;
  lastLoad: LoadResult | undefined;
  storage: string | undefined;
}

const SKIP_WORDS: Record<string, string> = {
  excluded: 'excluded (qwenLocal.completion.exclude)',
  binary: 'binary',
  generated: 'generated or lockfiles',
  minified: 'minified',
  'too-large': 'over the size cap',
  'index-full': 'beyond the index cap',
};

export function indexStatusReport(f: IndexFacts): string {
  const lines = ['# Qwen Local: codebase index', ''];
  if (f.workspace === undefined) return [...lines, 'No folder is open: open a folder or workspace to index it.'].join('\n');
  lines.push(`Workspace: ${f.workspace}`, '');
  if (f.consent === 'no') lines.push('Indexing is off for this workspace (you said Never). Run "Qwen Local: Index Workspace" to index it.', '');
  else if (f.consent === undefined && f.files === 0) lines.push('Not indexed yet. Run "Qwen Local: Index Workspace" (or use @codebase in chat).', '');
  const state = f.indexing ? (f.paused ? 'indexing, paused while you type' : 'indexing now') : 'idle';
  lines.push('| | |', '| --- | --- |');
  lines.push(`| State | ${state} |`);
  lines.push(`| Files | ${f.files.toLocaleString('en-US')} |`);
  lines.push(`| Chunks | ${f.chunks.toLocaleString('en-US')} |`);
  lines.push(`| Search | ${f.embedder.model ? `words + meaning (embedding model ${f.embedder.model})` : 'words only (no embedding model)'} |`);
  lines.push(`| Chunks with vectors | ${f.vectors.toLocaleString('en-US')}${f.pending > 0 ? ` (${f.pending.toLocaleString('en-US')} waiting)` : ''} |`);
  if (f.storedModel && f.storedModel !== f.embedder.model) lines.push(`| Saved vectors from | ${f.storedModel} |`);
  if (f.storage) lines.push(`| Stored in | ${f.storage} |`);
  lines.push('', `Embedding model: ${f.embeddingHint ?? f.embedder.why}`);
  const b = f.lastBuild;
  if (b) {
    lines.push('', `## Last build (${b.finishedAt}${b.cancelled ? ', cancelled' : ''})`, '');
    lines.push(`${b.listed.toLocaleString('en-US')} files listed in ${(b.ms / 1000).toFixed(1)} s: ${b.indexed} indexed, ${b.unchanged} unchanged, ${b.removed} removed; ${b.embedded} chunks embedded.`);
    if (b.truncated) lines.push('', 'The workspace has more files than the cap (qwenLocal.codebase.maxFiles): the rest were not indexed.');
    const skipped = Object.entries(b.skipped).filter(([, n]) => n > 0);
    if (skipped.length > 0) lines.push('', `Skipped: ${skipped.map(([reason, n]) => `${n} ${SKIP_WORDS[reason] ?? reason}`).join(', ')}.`);
    if (b.embedError) lines.push('', `Embedding stopped: ${b.embedError} The ${b.pending} remaining chunks are embedded on the next run; search uses words meanwhile.`);
    if (b.saveError) lines.push('', b.saveError);
  }
  if (f.lastLoad?.status === 'corrupt') lines.push('', `The saved index was unreadable and was set aside (${f.lastLoad.setAside ?? ''}); it is rebuilt on the next run.`);
  lines.push('', 'Files matching qwenLocal.completion.exclude, files.exclude, search.exclude and .gitignore are never read.');
  return lines.join('\n');
}

/** Markdown fence language for a chunk's language id. */
function fenceLanguage(language: string): string {
  return language === 'ts' ? 'typescript' : language === 'text' ? '' : language;
}

/** One hit as a model reads it: `path:start-end`, then the code fenced. */
export function formatHit(hit: SearchHit): string {
  const ticks = hit.chunk.text.includes('```') ? '````' : '```';
  return `${hit.location}\n${ticks}${fenceLanguage(hit.chunk.language)}\n${hit.chunk.text.replace(/\n$/, '')}\n${ticks}`;
}

/** The search tool's answer: the best hits that fit `maxTokens`, each with its location. */
export function toolAnswer(query: string, result: SearchResult, maxTokens: number): string {
  if (result.hits.length === 0) return `No code in the workspace index matches "${query}".${result.note ? ` ${result.note}` : ''}`;
  const header = `Top code chunks for "${query}" (cite them as path:line):`;
  const cut = fitHitsToBudget(result.hits, maxTokens - estimateTokens(header) - 20);
  const parts = [header, ...cut.kept.map(formatHit)];
  if (cut.dropped.length > 0) parts.push(`(${cut.dropped.length} more matches left out to stay within the token budget: ${cut.dropped.map((h) => h.location).slice(0, 10).join(', ')})`);
  if (result.note) parts.push(result.note);
  return parts.join('\n\n');
}

/** The search tool's input as a model sent it. */
export interface SearchInput {
  query?: unknown;
  pathGlob?: unknown;
}

/** Checks the model's input; a sentence for the model when it is unusable. */
export function checkToolInput(input: SearchInput): { query: string; pathGlob?: string } | string {
  if (typeof input.query !== 'string' || input.query.trim() === '') return 'Give `query`: words, identifiers or a question about the code.';
  if (input.pathGlob === undefined || input.pathGlob === null || input.pathGlob === '') return { query: input.query.trim() };
  if (typeof input.pathGlob !== 'string') return '`pathGlob` must be a glob string such as "src/**/*.ts".';
  const unsafe = unsafeGlobReason(input.pathGlob);
  if (unsafe) return `\`pathGlob\` was refused: ${unsafe}.`;
  return { query: input.query.trim(), pathGlob: input.pathGlob.trim() };
}
