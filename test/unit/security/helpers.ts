// Shared steps of the security tests.

import type { Rig } from '../faults/rig';

/**
 * Completes the same code twice: an import read that misses the 20 ms context budget (a loaded
 * machine) serves the second request, so the control snippets are there on every machine.
 */
export async function twice(rig: Rig, code: string, extra: Parameters<Rig['complete']>[1] = {}): ReturnType<Rig['complete']> {
  await rig.complete(code, extra);
  rig.engine.clearCache();
  return rig.complete(code, extra);
}
