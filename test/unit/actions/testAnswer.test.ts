import assert from 'node:assert/strict';
import { frameworkMismatch, frameworksIn } from '../../../src/actions/testAnswer';

describe('actions/testAnswer', () => {
  it('reads the framework from imports and helpers', () => {
    assert.deepEqual(frameworksIn("import { describe, it, expect, vi } from 'vitest';\nvi.fn();"), ['vitest']);
    assert.deepEqual(frameworksIn("const fn = jest.fn();\ntest('x', () => {});"), ['jest']);
    assert.deepEqual(frameworksIn("import { test } from 'node:test';"), ['node:test']);
    assert.deepEqual(frameworksIn('import pytest\nfrom unittest.mock import patch\n'), ['pytest']);
    assert.deepEqual(frameworksIn('import unittest\n\nclass T(unittest.TestCase):\n    pass'), ['unittest']);
    assert.deepEqual(frameworksIn('import org.junit.jupiter.api.Test;'), ['junit5']);
    assert.deepEqual(frameworksIn('import org.junit.Test;\nimport static org.junit.Assert.assertEquals;'), ['junit4']);
  });

  it('points out an answer in jest when vitest was chosen, naming why vitest', () => {
    const jest = "import { describe, it, expect } from '@jest/globals';\ndescribe('a', () => it('b', () => expect(1).toBe(1)));";
    assert.match(frameworkMismatch(jest, { framework: 'vitest', frameworkAssumed: false }) ?? '', /use jest, but the project uses vitest/);
    assert.match(frameworkMismatch(jest, { framework: 'mocha', frameworkAssumed: true }) ?? '', /mocha was assumed/);
  });

  it('says nothing when the answer uses the chosen framework or shows no sign', () => {
    assert.equal(frameworkMismatch("import { it } from 'vitest';", { framework: 'vitest', frameworkAssumed: false }), undefined);
    assert.equal(frameworkMismatch("test('x', () => expect(1).toBe(1));", { framework: 'jest', frameworkAssumed: false }), undefined);
    assert.equal(frameworkMismatch('import pytest\nimport unittest.mock', { framework: 'pytest', frameworkAssumed: false }), undefined);
  });
});
