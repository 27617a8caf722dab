// Where Generate Tests puts its tests: an existing conventional test file, else the source itself
// (Rust's `mod tests`), else a new file. Pure: the glue passes how to test for a file and for the
// exclude list. An existing file that is excluded is never read, sent or changed.

import type { TestPlan } from './testPlan';

export type TestTarget =
  | {
      ok: true;
      /** Workspace-relative POSIX path of the file that takes the tests. */
      testPath: string;
      /** False when the tests go into a new file (created only on Accept). */
      exists: boolean;
      /** The tests go into the file under test itself. */
      isSource: boolean;
    }
  | { ok: false; reason: string };

export interface TargetFacts {
  plan: TestPlan;
  sourcePath: string;
  exists(relativePath: string): Promise<boolean>;
  /** The exclude setting's verdict on a workspace-relative path. */
  excluded(relativePath: string): boolean;
}

export async function chooseTestTarget(facts: TargetFacts): Promise<TestTarget> {
  const { plan, sourcePath } = facts;
  let testPath = plan.create;
  let exists = false;
  for (const candidate of plan.candidates) {
    if (await facts.exists(candidate)) {
      testPath = candidate;
      exists = true;
      break;
    }
  }
  if (!exists && plan.inSourceFile) {
    testPath = sourcePath;
    exists = true;
  }
  const isSource = testPath === sourcePath;
  // The source was checked before; an existing test file's start would go into the prompt.
  if (!isSource && facts.excluded(testPath)) {
    return {
      ok: false,
      reason: `the test file ${testPath} matches the exclude setting (Qwen Local: Completion Exclude), so Qwen Local does not read or change it. Nothing was sent.`,
    };
  }
  return { ok: true, testPath, exists, isSource };
}
