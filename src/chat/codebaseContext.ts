// @codebase in chat: the chip that stands for it until the message is sent, and its resolution
// into the best matching chunks of the workspace index (one chip per chunk under the message) plus
// a note asking the model to cite them as `path:line` links, which open the place. Pure.

import type { SearchHit } from '../codebase/codebaseIndex';
import { chunkLocation } from '../codebase/types';
import type { Attachment } from './types';

export const CODEBASE_LABEL = '@codebase';
const MARKER_CONTENT = 'The best matching code from the workspace index is added when the message is sent.';

/** What chat needs from the index: chunks for a question within a token budget, or why there are none. */
export interface CodebaseRetriever {
  /** `asked`: the user picked @codebase (may ask to index the workspace), not the auto setting. */
  retrieve(query: string, asked: boolean): Promise<SearchHit[] | string>;
  /** qwenLocal.chat.codebaseAuto: add @codebase to questions that name no file. */
  auto(): boolean;
  /** The file URI of a workspace-relative path (for the chips). */
  uriOf?(path: string): string | undefined;
}

export function codebaseMarker(id: string): Attachment {
  return { id, kind: 'text', label: CODEBASE_LABEL, content: MARKER_CONTENT };
}

function isMarker(a: Attachment): boolean {
  return a.kind === 'text' && a.label === CODEBASE_LABEL && a.content === MARKER_CONTENT;
}

/** A file name or path in the question ("in retry.ts", "src/net/"): the user already said where to look. */
export function namesAFile(text: string): boolean {
  return /(?:^|[\s`'"(])[\w.-]*[\w-]\.(?:[jt]sx?|[cm][jt]s|py|go|rs|java|kt|cs|c|h|cc|cpp|hpp|rb|php|swift|json|ya?ml|toml|md|vue|svelte|sh)\b|(?:^|\s)\.{0,2}\/?[\w.-]+\/[\w./-]+/.test(text);
}

const LANGUAGE_IDS: Record<string, string> = { ts: 'typescript', c: 'c', text: 'plaintext' };

/** One chunk as a selection chip: opening it shows the file at the range. */
export function hitAttachment(id: string, hit: SearchHit, uriOf: (path: string) => string | undefined): Attachment {
  const { chunk } = hit;
  const base = chunk.path.slice(chunk.path.lastIndexOf('/') + 1);
  const uri = uriOf(chunk.path);
  return {
    id,
    kind: 'selection',
    label: `${base}:${chunk.startLine}-${chunk.endLine}`,
    path: chunk.path,
    ...(uri ? { uri } : {}),
    languageId: LANGUAGE_IDS[chunk.language] ?? chunk.language,
    range: { startLine: chunk.startLine, endLine: chunk.endLine },
    content: chunk.text,
  };
}

export function citationNote(id: string, hits: readonly SearchHit[]): Attachment {
  const locations = hits.map((h) => `- ${chunkLocation(h.chunk)}`).join('\n');
  return {
    id,
    kind: 'text',
    label: `${CODEBASE_LABEL} search results`,
    content: `The code below was found in the workspace for this question. When you use it, cite it as a Markdown link to the path and line, e.g. [${hits[0] ? `${hits[0].chunk.path}:${hits[0].chunk.startLine}` : 'src/app.ts:12'}](${hits[0] ? `${hits[0].chunk.path}#L${hits[0].chunk.startLine}` : 'src/app.ts#L12'}). Found:\n${locations}`,
  };
}

export interface CodebaseResolution {
  attachments: Attachment[];
  /** For the user when @codebase was asked for but gave nothing (not indexed, no match). */
  notice?: string;
}

/**
 * Replaces the @codebase chip (or, with the auto setting, a question that names no file) by the
 * matching chunks; other attachments are kept. Without a retriever the chip is dropped.
 */
export async function resolveCodebase(
  text: string,
  attachments: readonly Attachment[],
  retriever: CodebaseRetriever | undefined,
  newId: () => string,
): Promise<CodebaseResolution> {
  const rest = attachments.filter((a) => !isMarker(a));
  const asked = rest.length !== attachments.length || /(?:^|\s)@codebase\b/i.test(text);
  const wanted = asked || (retriever?.auto() === true && !namesAFile(text));
  if (!wanted || retriever === undefined) return { attachments: rest };
  const query = text.replace(/(?:^|\s)@codebase\b/gi, ' ').trim();
  const found = await retriever.retrieve(query, asked).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  if (typeof found === 'string') return { attachments: rest, ...(asked ? { notice: `@codebase: ${found}` } : {}) };
  if (found.length === 0) return { attachments: rest, ...(asked ? { notice: '@codebase found no matching code in the workspace index.' } : {}) };
  return { attachments: [...rest, citationNote(newId(), found), ...found.map((hit) => hitAttachment(newId(), hit, (path) => retriever.uriOf?.(path)))] };
}
