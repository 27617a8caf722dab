// One notification per incident, never one per keystroke. Pure.
// An incident starts with the first failure of a kind after a success and ends at the next success.

import type { BackendError, BackendErrorKind } from '../backend/errors';

/** Failures a person must hear about; timeouts and cancels are only logged. */
const NOTIFY: ReadonlySet<BackendErrorKind> = new Set([
  'unreachable',
  'modelNotFound',
  'capability',
  'unauthorized',
  'busy',
  'server',
  'badResponse',
]);

export class IncidentTracker {
  private readonly open = new Set<string>();

  /** True when this failure opens a new incident and deserves a notification. */
  report(error: BackendError): boolean {
    if (!NOTIFY.has(error.kind)) return false;
    const key = `${error.kind}:${error.kind === 'modelNotFound' || error.kind === 'capability' ? (error.context.model ?? '') : ''}`;
    if (this.open.has(key)) return false;
    this.open.add(key);
    return true;
  }

  /** A success ends every incident: the next failure is news again. Returns whether any was open. */
  resolve(): boolean {
    const had = this.open.size > 0;
    this.open.clear();
    return had;
  }

  get offline(): boolean {
    return this.open.has('unreachable:');
  }
}
