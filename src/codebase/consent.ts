// When the codebase index may be read, built or asked for. Pure: the glue (vscodeCodebase.ts)
// passes the workspace's answer, the trust limits and the index's state, and does what this says.
//
// - The user picked @codebase (or the tool was called): an index they agreed to is searched (built
//   first if empty); never asked: the consent question now, and the question waits for it.
// - The auto setting (qwenLocal.chat.codebaseAuto) added it: the question never waits for a
//   notification. Never asked: the consent question is asked once per workspace in the background
//   and this question goes without; after any answer but "Index" the setting asks no more.
// - An agent's search tool call: searches an index the user agreed to; it never asks.
// - Restricted Mode: nothing is added on its own (auto), and nothing is built in the background.

/** The workspace's answer to the consent question: 'yes' (Index), 'no' (Never), or not given. */
export type Consent = 'yes' | 'no' | undefined;

export interface SearchFacts {
  consent: Consent;
  /** The index has files (loaded or built). */
  indexed: boolean;
  /** A build runs now (its words arrive soon). */
  building: boolean;
  /** `asked`: the user picked @codebase; `auto`: the auto setting added it; `tool`: an agent called the search tool. */
  origin: 'asked' | 'auto' | 'tool';
  /** The auto setting asked the consent question in this workspace already. */
  autoAsked: boolean;
  /** The workspace's trust allows reading it on its own (workspace/trust.ts `indexing`). */
  mayIndex: boolean;
}

export type SearchGate =
  /** Search (an empty index with a build running: wait for its words first). */
  | { kind: 'search' }
  /** Agreed but not built: start the build, then search. */
  | { kind: 'build' }
  /** Ask the consent question now and wait for the answer (Index: build, then search). */
  | { kind: 'ask'; otherwise: string }
  /** Ask the consent question without waiting; this question goes without @codebase. */
  | { kind: 'askInBackground'; answer: string }
  | { kind: 'refuse'; answer: string };

export const NOT_INDEXED = 'The workspace is not indexed. Run "Qwen Local: Index Workspace" first.';
export const TURNED_OFF = 'Codebase search is off for this workspace. Run "Qwen Local: Index Workspace" to turn it on.';
export const RESTRICTED_AUTO = 'Restricted Mode: @codebase is added only when you pick it (qwenLocal.chat.codebaseAuto waits for a trusted workspace).';
const ASKED_IN_BACKGROUND = 'The workspace is not indexed yet: Qwen Local asks whether to index it; this question goes without @codebase.';

export function searchGate(f: SearchFacts): SearchGate {
  if (f.origin === 'auto' && !f.mayIndex) return { kind: 'refuse', answer: RESTRICTED_AUTO };
  if (f.indexed || f.building) return { kind: 'search' };
  if (f.consent === 'yes') return { kind: 'build' };
  if (f.consent === 'no') return { kind: 'refuse', answer: TURNED_OFF };
  if (f.origin === 'asked') return { kind: 'ask', otherwise: NOT_INDEXED };
  if (f.origin === 'tool' || f.autoAsked) return { kind: 'refuse', answer: NOT_INDEXED };
  return { kind: 'askInBackground', answer: ASKED_IN_BACKGROUND };
}

export interface BackgroundFacts {
  hasFolder: boolean;
  consent: Consent;
  /** The workspace's trust allows reading it on its own (after a grant, or Allow in This Window). */
  mayIndex: boolean;
  building: boolean;
}

/** Whether to bring an agreed index up to date on its own now (at start-up, when trust is granted). */
export function backgroundBuildDue(f: BackgroundFacts): boolean {
  return f.hasFolder && f.consent === 'yes' && f.mayIndex && !f.building;
}
