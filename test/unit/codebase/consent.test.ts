import assert from 'node:assert/strict';
import { backgroundBuildDue, NOT_INDEXED, RESTRICTED_AUTO, searchGate, TURNED_OFF, type SearchFacts } from '../../../src/codebase/consent';

const fresh: SearchFacts = { consent: undefined, indexed: false, building: false, origin: 'auto', autoAsked: false, mayIndex: true };

describe('codebase consent: when to search, build or ask', () => {
  it('auto mode in a workspace never asked asks once in the background; the question goes without', () => {
    const first = searchGate(fresh);
    assert.equal(first.kind, 'askInBackground');
    assert.match(first.kind === 'askInBackground' ? first.answer : '', /goes without @codebase/);
    // Asked (Not Now, or the notification dismissed): the setting asks no more.
    assert.deepEqual(searchGate({ ...fresh, autoAsked: true }), { kind: 'refuse', answer: NOT_INDEXED });
    // Never: off until Index Workspace.
    assert.deepEqual(searchGate({ ...fresh, consent: 'no', autoAsked: true }), { kind: 'refuse', answer: TURNED_OFF });
    // Index: the build starts with the answer; later questions search.
    assert.deepEqual(searchGate({ ...fresh, consent: 'yes', autoAsked: true, building: true }), { kind: 'search' });
    assert.deepEqual(searchGate({ ...fresh, consent: 'yes', autoAsked: true, indexed: true }), { kind: 'search' });
  });

  it('a picked @codebase asks and waits, even after the auto setting asked; the tool never asks', () => {
    assert.deepEqual(searchGate({ ...fresh, origin: 'asked', autoAsked: true }), { kind: 'ask', otherwise: NOT_INDEXED });
    assert.deepEqual(searchGate({ ...fresh, origin: 'asked', consent: 'no' }), { kind: 'refuse', answer: TURNED_OFF });
    assert.deepEqual(searchGate({ ...fresh, origin: 'tool' }), { kind: 'refuse', answer: NOT_INDEXED });
    assert.deepEqual(searchGate({ ...fresh, origin: 'tool', consent: 'yes' }), { kind: 'build' });
  });

  it('an agreed index that is empty is built first; one that exists is searched', () => {
    for (const origin of ['asked', 'auto', 'tool'] as const) {
      assert.deepEqual(searchGate({ ...fresh, origin, consent: 'yes' }), { kind: 'build' }, origin);
      assert.deepEqual(searchGate({ ...fresh, origin, indexed: true }), { kind: 'search' }, origin);
    }
  });

  it('Restricted Mode: nothing is added on its own; what the person picks still works', () => {
    assert.deepEqual(searchGate({ ...fresh, mayIndex: false }), { kind: 'refuse', answer: RESTRICTED_AUTO });
    assert.deepEqual(searchGate({ ...fresh, mayIndex: false, indexed: true }), { kind: 'refuse', answer: RESTRICTED_AUTO });
    assert.deepEqual(searchGate({ ...fresh, origin: 'asked', mayIndex: false, indexed: true }), { kind: 'search' });
  });

  it('builds in the background only when agreed, allowed by trust, not running, and a folder is open', () => {
    const due = { hasFolder: true, consent: 'yes' as const, mayIndex: true, building: false };
    assert.equal(backgroundBuildDue(due), true);
    // Restricted Mode at start-up: waits; the grant (mayIndex turns true) makes it due without a reload.
    assert.equal(backgroundBuildDue({ ...due, mayIndex: false }), false);
    assert.equal(backgroundBuildDue({ ...due, consent: undefined }), false, 'never agreed: trust alone does not index');
    assert.equal(backgroundBuildDue({ ...due, consent: 'no' }), false);
    assert.equal(backgroundBuildDue({ ...due, building: true }), false);
    assert.equal(backgroundBuildDue({ ...due, hasFolder: false }), false);
  });
});
