import assert from 'node:assert/strict';
import { decideAccept, Proposal, ProposalRegistry, relocateRange, type ProposalInit } from '../../../src/actions/proposal';

const ORIGINAL = 'function a() {\n  return 1;\n}\n\nfunction b() {\n  return 2;\n}\n';
const START = ORIGINAL.indexOf('  return 2;');
const END = START + '  return 2;'.length;

const base: ProposalInit = { id: 'p1', action: 'Edit', targetUri: 'file:///a.ts', originalText: ORIGINAL, version: 3, start: START, end: END, isNewFile: false, eol: '\n' };

function make(over: Partial<ProposalInit> = {}): Proposal {
  return new Proposal({ ...base, ...over });
}

describe('actions/proposal', () => {
  it('shows the original until the answer starts, then the streamed replacement', () => {
    const p = make();
    assert.equal(p.proposedText, ORIGINAL);
    let events = 0;
    p.onDidChange(() => events++);
    p.update('  return 20;');
    assert.equal(p.proposedText, ORIGINAL.replace('return 2;', 'return 20;'));
    p.update('  return 20;'); // no change, no event
    p.complete('  return 22;');
    assert.equal(p.state, 'ready');
    p.update('late chunk');
    assert.equal(p.replacement, '  return 22;');
    assert.equal(events, 2);
  });

  it('a failure restores the original and cannot be accepted', () => {
    const p = make();
    p.update('  partial');
    p.fail();
    assert.equal(p.proposedText, ORIGINAL);
    assert.equal(decideAccept(p, { exists: true, text: ORIGINAL, version: 3 }).kind, 'notReady');
  });

  it('accepting while streaming is refused with a reason', () => {
    const d = decideAccept(make(), { exists: true, text: ORIGINAL, version: 3 });
    assert.equal(d.kind, 'notReady');
    assert.match(d.kind === 'notReady' ? d.reason : '', /still being written/);
  });

  it('an unchanged document takes the edit at the original range', () => {
    const p = make();
    p.complete('  return 22;');
    assert.deepEqual(decideAccept(p, { exists: true, text: ORIGINAL, version: 3 }), { kind: 'apply', start: START, end: END, text: '  return 22;' });
    // Saved or reopened (another version), same text: still safe.
    assert.equal(decideAccept(p, { exists: true, text: ORIGINAL, version: 9 }).kind, 'apply');
  });

  it('a document edited elsewhere asks before applying at the moved range', () => {
    const p = make();
    p.complete('  return 22;');
    const changed = `// header\n${ORIGINAL}`;
    const d = decideAccept(p, { exists: true, text: changed, version: 4 });
    assert.equal(d.kind, 'relocated');
    if (d.kind === 'relocated') assert.equal(changed.slice(d.start, d.end), '  return 2;');
  });

  it('a document whose replaced code changed is a conflict', () => {
    const p = make();
    p.complete('  return 22;');
    const d = decideAccept(p, { exists: true, text: ORIGINAL.replace('return 2;', 'return 3;'), version: 4 });
    assert.equal(d.kind, 'conflict');
    assert.equal(decideAccept(p, { exists: false }).kind, 'conflict');
  });

  it('a new file is created unless it appeared meanwhile', () => {
    const p = make({ originalText: '', start: 0, end: 0, isNewFile: true, version: undefined });
    p.complete('test code\n');
    assert.deepEqual(decideAccept(p, { exists: false }), { kind: 'create', text: 'test code\n' });
    assert.equal(decideAccept(p, { exists: true }).kind, 'conflict');
    assert.equal(p.unchanged, false);
  });

  describe('relocateRange', () => {
    it('grows context until the range is unique', () => {
      const text = 'a\nx = 1\nb\nx = 1\nc\n';
      const start = text.lastIndexOf('x = 1');
      const moved = relocateRange(text, start, start + 5, `top\n${text}`);
      assert.deepEqual(moved, { start: start + 4, end: start + 9 });
    });
    it('an insertion point is found by the lines around it', () => {
      const text = 'one\ntwo\nthree\n';
      const at = text.indexOf('two');
      const moved = relocateRange(text, at, at, `zero\n${text}`);
      assert.deepEqual(moved, { start: at + 5, end: at + 5 });
    });
    it('gives up when the code is gone or stays ambiguous', () => {
      assert.equal(relocateRange('a\nb\n', 2, 3, 'a\nc\n'), undefined);
      const same = 'x\nx\nx\nx\nx\nx\nx\nx\nx\n';
      assert.equal(relocateRange(same, 8, 9, `y\n${same}`), undefined);
    });
  });

  it('ProposalRegistry makes each proposal, counts the open ones for the context key, and closes removed ones', () => {
    const counts: number[] = [];
    const removed: string[] = [];
    const reg = new ProposalRegistry((n) => counts.push(n));
    reg.onDidRemove((p) => removed.push(p.id));
    const { id: _unused, ...init } = base;
    const a = reg.create(init);
    const b = reg.create(init);
    assert.notEqual(a.id, b.id);
    assert.equal(reg.get(a.id), a);
    assert.equal(reg.latest(), b);
    reg.remove(a.id);
    assert.equal(a.state, 'closed');
    assert.equal(reg.remove('nope'), undefined);
    reg.remove(b.id);
    assert.deepEqual(counts, [1, 2, 1, 0]);
    assert.deepEqual(removed, [a.id, b.id]);
  });

  it('removing a streaming proposal ends its request; a finished one keeps its signal quiet', () => {
    const reg = new ProposalRegistry();
    const { id: _unused, ...init } = base;
    const streaming = new AbortController();
    const done = new AbortController();
    const a = reg.create(init, streaming);
    const b = reg.create(init, done);
    assert.equal(reg.signalOf(a.id), streaming.signal);
    b.complete('x');
    reg.remove(a.id);
    reg.remove(b.id);
    assert.equal(streaming.signal.aborted, true);
    assert.equal(done.signal.aborted, false);
  });
});
