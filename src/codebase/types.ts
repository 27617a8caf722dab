// Plain types shared by the codebase index's pure core (no `vscode`: the adapters convert at the edge).

/** A piece of a file that follows its structure (a function, a class, a group of small declarations). */
export interface Chunk {
  /** Workspace-relative path with forward slashes. */
  path: string;
  /** First line, 1-based. */
  startLine: number;
  /** Last line, 1-based, inclusive. */
  endLine: number;
  text: string;
  /** Names this chunk defines (functions, classes, types, methods, constants). */
  symbols: string[];
  /** The enclosing class, namespace or type when a large one was split into its members. */
  container?: string;
  /** The language id the chunker used (`ts`, `python`, `go`, `rust`, `java`, `c`, `text`). */
  language: string;
}

/** `path:start-end`, the form answers cite and links open. */
export function chunkLocation(chunk: Pick<Chunk, 'path' | 'startLine' | 'endLine'>): string {
  return chunk.startLine === chunk.endLine
    ? `${chunk.path}:${chunk.startLine}`
    : `${chunk.path}:${chunk.startLine}-${chunk.endLine}`;
}
