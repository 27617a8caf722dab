// Shared steps of the security tests.

import type { OllamaSimulator } from '../../sim/simulator';
import type { Rig } from '../faults/rig';

/** Everything the simulator received, as one text to search for markers. */
export function sentText(sim: OllamaSimulator): string {
  return sim.requests.map((r) => JSON.stringify(r.body ?? {})).join('\n');
}

/**
 * Completes the code until a prompt carries the control marker (at most 10 times). Context work
 * that misses the 20 ms budget on a loaded machine (an import read, the analysis of an open file)
 * is cached and serves a later request, so the control snippet that proves context is on arrives
 * on every machine; every request sent on the way is still checked for secrets by the caller.
 */
export async function completeUntilSent(rig: Rig, sim: OllamaSimulator, control: string, code: string, extra: Parameters<Rig['complete']>[1] = {}): ReturnType<Rig['complete']> {
  let item: Awaited<ReturnType<Rig['complete']>>;
  for (let attempt = 0; attempt < 10; attempt++) {
    item = await rig.complete(code, extra);
    if (sentText(sim).includes(control)) break;
    rig.engine.clearCache();
  }
  return item;
}
