// Faults: which misbehaviours hit which request. Matching happens once, when the request has
// arrived and its body is parsed; each match uses up one of the fault's `times`.

import { sameModel } from './models';
import type { Endpoint, FaultSpec, RequestRecord } from './types';

const DEFAULT_ENDPOINTS: Endpoint[] = ['generate', 'chat'];

/** Ollama's texts for the statuses tests use most. */
export function defaultErrorText(status: number): string {
  switch (status) {
    case 503:
      return 'server busy, please try again.  maximum pending requests exceeded';
    case 500:
      return 'llama runner process has terminated: exit status 2';
    case 401:
      return 'unauthorized';
    case 404:
      return 'not found';
    default:
      return `simulated error ${status}`;
  }
}

export interface FaultHandle {
  readonly spec: FaultSpec;
  /** Requests it has hit so far. */
  readonly hits: number;
  remove(): void;
}

class ActiveFault implements FaultHandle {
  hits = 0;
  constructor(
    readonly spec: FaultSpec,
    private readonly owner: FaultSet,
  ) {}

  get spent(): boolean {
    return this.spec.times !== undefined && this.hits >= this.spec.times;
  }

  remove(): void {
    this.owner.remove(this);
  }
}

export class FaultSet {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): FaultHandle {
    const f = new ActiveFault(spec, this);
    this.faults.push(f);
    return f;
  }

  remove(f: FaultHandle): void {
    this.faults = this.faults.filter((x) => x !== f);
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.filter((f) => !f.spent).map((f) => f.spec);
  }

  /** The faults that hit this request, in the order they were added; counts the hits. */
  take(r: RequestRecord): FaultSpec[] {
    const hit: FaultSpec[] = [];
    for (const f of this.faults) {
      if (f.spent || !applies(f.spec, r)) continue;
      f.hits++;
      hit.push(f.spec);
      r.faults.push(f.spec.kind);
    }
    this.faults = this.faults.filter((f) => !f.spent);
    return hit;
  }
}

function applies(spec: FaultSpec, r: RequestRecord): boolean {
  const endpoints = spec.endpoint === undefined ? DEFAULT_ENDPOINTS : spec.endpoint === '*' ? undefined : [spec.endpoint].flat();
  if (endpoints && !endpoints.includes(r.endpoint)) return false;
  if (spec.model !== undefined && (r.model === undefined || !sameModel(spec.model, r.model))) return false;
  if (spec.when && !spec.when(r)) return false;
  return true;
}
