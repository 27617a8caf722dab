// A proposed change to one file, while it streams and when the user accepts it. Pure: the glue shows
// it in a diff editor and applies it; this decides what the proposed text is and whether it still
// applies to the document as it is now.

import type { Eol } from './text';

export interface ProposalInit {
  id: string;
  /** What the user sees in the diff title ("Edit", "Docstring", "Tests", "Fix"). */
  action: string;
  /** The target document's URI, as a string. */
  targetUri: string;
  /** The target's text when the proposal was made ('' for a file that does not exist yet). */
  originalText: string;
  /** The target document's version then (undefined for a new file). */
  version: number | undefined;
  /** The replaced range, as offsets into originalText. */
  start: number;
  end: number;
  /** The file is created on Accept. */
  isNewFile: boolean;
  eol: Eol;
}

export type ProposalState = 'streaming' | 'ready' | 'failed' | 'closed';

type Listener = () => void;

export class Proposal {
  private replacementText: string;
  private stateValue: ProposalState = 'streaming';
  private readonly listeners = new Set<Listener>();

  constructor(readonly init: ProposalInit) {
    // Until the model's answer starts, the proposal shows the original.
    this.replacementText = init.originalText.slice(init.start, init.end);
  }

  get id(): string {
    return this.init.id;
  }

  get state(): ProposalState {
    return this.stateValue;
  }

  get replacement(): string {
    return this.replacementText;
  }

  /** The whole proposed document: the original with the range replaced. */
  get proposedText(): string {
    const { originalText, start, end } = this.init;
    return originalText.slice(0, start) + this.replacementText + originalText.slice(end);
  }

  get originalRangeText(): string {
    return this.init.originalText.slice(this.init.start, this.init.end);
  }

  /** True when the proposal changes nothing. */
  get unchanged(): boolean {
    return this.replacementText === this.originalRangeText && !this.init.isNewFile;
  }

  /** A streamed update; ignored once the proposal is finished or closed. */
  update(replacement: string): void {
    if (this.stateValue !== 'streaming' || replacement === this.replacementText) return;
    this.replacementText = replacement;
    this.emit();
  }

  /** The final text; the proposal can now be accepted. */
  complete(replacement: string): void {
    if (this.stateValue !== 'streaming') return;
    this.replacementText = replacement;
    this.stateValue = 'ready';
    this.emit();
  }

  /** The request failed or was cancelled: the proposal shows the original again and cannot be accepted. */
  fail(): void {
    if (this.stateValue !== 'streaming') return;
    this.replacementText = this.originalRangeText;
    this.stateValue = 'failed';
    this.emit();
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.emit();
    this.listeners.clear();
  }

  onDidChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** The target as it is when the user accepts. */
export interface TargetNow {
  exists: boolean;
  text?: string;
  version?: number;
}

export type AcceptDecision =
  | { kind: 'apply'; start: number; end: number; text: string }
  | { kind: 'create'; text: string }
  /** The document changed, but the code the proposal replaces was found again: ask before applying. */
  | { kind: 'relocated'; start: number; end: number; text: string }
  | { kind: 'conflict'; reason: string }
  | { kind: 'notReady'; reason: string };

/**
 * Where the original range is in the changed document: the range's text with growing context around
 * it (a line at a time, up to three) until it is found exactly once. Undefined when it is gone or
 * ambiguous.
 */
export function relocateRange(original: string, start: number, end: number, current: string): { start: number; end: number } | undefined {
  if (original === current) return { start, end };
  for (let ctx = 0; ctx <= 3; ctx++) {
    let from = start;
    let to = end;
    for (let k = 0; k < ctx; k++) {
      const prev = original.lastIndexOf('\n', from - 2);
      from = prev < 0 ? 0 : prev + 1;
      const next = original.indexOf('\n', to + 1);
      to = next < 0 ? original.length : next;
    }
    const needle = original.slice(from, to);
    // An empty needle (an insertion with no context yet) says nothing about where.
    if (needle.trim() === '') continue;
    const first = current.indexOf(needle);
    if (first < 0) return undefined; // more context cannot bring it back
    if (current.indexOf(needle, first + 1) < 0) {
      const newStart = first + (start - from);
      return { start: newStart, end: newStart + (end - start) };
    }
  }
  return undefined;
}

/** What Accept does now. Never applies blindly to a document that changed under the proposal. */
export function decideAccept(proposal: Proposal, now: TargetNow): AcceptDecision {
  if (proposal.state === 'streaming') return { kind: 'notReady', reason: 'The proposal is still being written. Wait for it to finish, or reject it.' };
  if (proposal.state === 'failed') return { kind: 'notReady', reason: 'The proposal was not completed. Reject it and try again.' };
  if (proposal.state === 'closed') return { kind: 'notReady', reason: 'The proposal was already closed.' };
  const { init } = proposal;
  if (init.isNewFile) {
    if (now.exists) return { kind: 'conflict', reason: 'The file was created while the proposal was open. Reject the proposal and generate again.' };
    return { kind: 'create', text: proposal.replacement };
  }
  if (!now.exists || now.text === undefined) return { kind: 'conflict', reason: 'The file was deleted or closed while the proposal was open.' };
  // The text decides, not the version: a document closed and opened again restarts its versions.
  if (now.text === init.originalText) {
    return { kind: 'apply', start: init.start, end: init.end, text: proposal.replacement };
  }
  const moved = relocateRange(init.originalText, init.start, init.end, now.text);
  if (!moved) return { kind: 'conflict', reason: 'The code the proposal replaces was changed while the proposal was open. Reject the proposal and run the command again.' };
  return { kind: 'relocated', start: moved.start, end: moved.end, text: proposal.replacement };
}

/**
 * The one registry of open proposals (newest last) and the one factory that makes them, for the
 * actions and for chat's Apply to File alike. Each proposal is registered with the controller that
 * ends its request; removing a streaming proposal aborts it. `onCountChange` feeds the context key.
 */
export class ProposalRegistry {
  private readonly items = new Map<string, { proposal: Proposal; controller: AbortController }>();
  private readonly removeListeners = new Set<(proposal: Proposal) => void>();
  private counter = 0;

  constructor(private readonly onCountChange: (count: number) => void = () => {}) {}

  /** A new proposal with a fresh id, registered. */
  create(init: Omit<ProposalInit, 'id'>, controller = new AbortController()): Proposal {
    this.counter += 1;
    const proposal = new Proposal({ ...init, id: `p${Date.now().toString(36)}${this.counter}` });
    this.items.set(proposal.id, { proposal, controller });
    this.onCountChange(this.items.size);
    return proposal;
  }

  get(id: string): Proposal | undefined {
    return this.items.get(id)?.proposal;
  }

  /** The signal of the request that writes a proposal. */
  signalOf(id: string): AbortSignal | undefined {
    return this.items.get(id)?.controller.signal;
  }

  /** Drops a proposal: ends its request if it is still streaming, closes it, tells the listeners. */
  remove(id: string): Proposal | undefined {
    const item = this.items.get(id);
    if (!item) return undefined;
    this.items.delete(id);
    if (item.proposal.state === 'streaming') item.controller.abort();
    item.proposal.close();
    this.onCountChange(this.items.size);
    for (const listener of this.removeListeners) listener(item.proposal);
    return item.proposal;
  }

  /** Called after each removal (the view closes the proposal's diff editor). */
  onDidRemove(listener: (proposal: Proposal) => void): () => void {
    this.removeListeners.add(listener);
    return () => this.removeListeners.delete(listener);
  }

  get size(): number {
    return this.items.size;
  }

  all(): Proposal[] {
    return [...this.items.values()].map((i) => i.proposal);
  }

  latest(): Proposal | undefined {
    return this.all().at(-1);
  }
}
