// What a Generate Tests answer says about itself: which test framework its code uses, so a framework
// other than the one chosen is pointed out before the user accepts. Pure.

import type { TestFramework, TestPlan } from './testPlan';

/** Framework names as the user reads them; 'unittest' is Python's standard library, not a plan's choice. */
export type AnswerFramework = TestFramework | 'unittest';

/** Unmistakable signs of each framework in test code (imports, their own helpers). */
const SIGNS: readonly [AnswerFramework, RegExp][] = [
  ['vitest', /from\s+['"]vitest['"]|require\(\s*['"]vitest['"]\s*\)|\bvi\.(?:fn|mock|spyOn|useFakeTimers)\(/],
  ['jest', /from\s+['"]@jest\/globals['"]|\bjest\.(?:fn|mock|spyOn|useFakeTimers)\(/],
  ['node:test', /from\s+['"]node:test['"]|require\(\s*['"]node:test['"]\s*\)/],
  ['mocha', /from\s+['"](?:mocha|chai)['"]|require\(\s*['"](?:mocha|chai)['"]\s*\)/],
  ['pytest', /^\s*(?:import\s+pytest|from\s+pytest\s+import)\b|@pytest\./m],
  // unittest.mock alone is common with pytest: only a TestCase or a bare `import unittest` counts.
  ['unittest', /^\s*import\s+unittest\s*$|\bunittest\.TestCase\b/m],
  ['junit5', /\borg\.junit\.jupiter\b/],
  ['junit4', /\bimport\s+(?:static\s+)?org\.junit\.(?!jupiter)/],
  ['testng', /\borg\.testng\b/],
  ['kotlin.test', /\bimport\s+kotlin\.test\b/],
];

/** The frameworks the code shows signs of, in the table's order. */
export function frameworksIn(code: string): AnswerFramework[] {
  return SIGNS.filter(([, sign]) => sign.test(code)).map(([name]) => name);
}

/**
 * The sentence pointing out that the answer uses another framework than the plan's, or undefined when
 * it uses the planned one (or shows no sign either way: jest's globals need no import).
 */
export function frameworkMismatch(answer: string, plan: Pick<TestPlan, 'framework' | 'frameworkAssumed'>): string | undefined {
  const found = frameworksIn(answer);
  if (found.length === 0 || found.includes(plan.framework)) return undefined;
  const other = found[0];
  const why = plan.frameworkAssumed ? `${plan.framework} was assumed (no test framework was found in the project)` : `the project uses ${plan.framework}`;
  return `the proposed tests use ${other}, but ${why}. Check the imports and calls before you accept, or reject and try again.`;
}
