import * as assert from 'node:assert/strict';
import { ServerLane, ServerLanes } from '../../../src/backend/lanes';
import { CompletionScheduler } from '../../../src/completion/scheduler';
import { FakeClock, settle } from './fakeClock';

function setup(debounce = 180) {
  const clock = new FakeClock();
  const lane = new ServerLane();
  const scheduler = new CompletionScheduler(lane, clock, () => debounce);
  return { clock, lane, scheduler };
}

/** Tracks a promise's settled value without awaiting it. */
function track<T>(promise: Promise<T>): { value: T | undefined; settled: boolean } {
  const state: { value: T | undefined; settled: boolean } = { value: undefined, settled: false };
  void promise.then((value) => {
    state.value = value;
    state.settled = true;
  });
  return state;
}

describe('completion scheduler', () => {
  describe('debounce', () => {
    it('waits the debounce before a request may go out', async () => {
      const { clock, scheduler } = setup(180);
      const ticket = scheduler.enter(new AbortController().signal);
      const ready = track(scheduler.ready(ticket, { debounce: true }));
      await clock.advance(179);
      assert.equal(ready.settled, false);
      await clock.advance(1);
      assert.deepEqual(ready, { value: true, settled: true });
    });

    it('counts the debounce from the keystroke: time the call already waited (for a kept answer) counts', async () => {
      const { clock, scheduler } = setup(180);
      const ticket = scheduler.enter(new AbortController().signal);
      await clock.advance(120); // e.g. waiting for the answer in flight this keystroke kept, which could not serve it
      const ready = track(scheduler.ready(ticket, { debounce: true }));
      await clock.advance(59);
      assert.equal(ready.settled, false);
      await clock.advance(1);
      assert.deepEqual(ready, { value: true, settled: true });
      ticket.finish();
      const late = scheduler.enter(new AbortController().signal);
      await clock.advance(500);
      assert.equal(await scheduler.ready(late, { debounce: true }), true, 'past the debounce already: at once');
    });

    it('an explicit request skips the debounce', async () => {
      const { scheduler } = setup(180);
      const ticket = scheduler.enter(new AbortController().signal);
      assert.equal(await scheduler.ready(ticket, { debounce: false }), true);
    });

    it('a keystroke during the debounce supersedes the waiting ticket', async () => {
      const { clock, scheduler } = setup(180);
      const first = scheduler.enter(new AbortController().signal);
      const firstReady = track(scheduler.ready(first, { debounce: true }));
      await clock.advance(100);
      const second = scheduler.enter(new AbortController().signal);
      const secondReady = track(scheduler.ready(second, { debounce: true }));
      await settle();
      assert.deepEqual(firstReady, { value: false, settled: true });
      assert.equal(first.signal.aborted, true);
      assert.equal(first.abortReason, 'superseded');
      await clock.advance(180);
      assert.deepEqual(secondReady, { value: true, settled: true });
      assert.equal(clock.pendingTimers, 0, 'the superseded timer was cleared');
    });

    it("learns the user's within-word gap: just above it (p75 × 1.25), bounded to [40, 400] ms", async () => {
      const typeWith = async (gaps: number[], setting = 180) => {
        const s = setup(setting);
        for (const gap of gaps) {
          s.scheduler.enter(new AbortController().signal);
          await s.clock.advance(gap);
        }
        return s.scheduler;
      };
      assert.equal((await typeWith([60, 60, 60])).debounceMs(), 180, 'the setting until a few gaps are known');
      assert.equal((await typeWith([60, 60, 60, 60, 60, 60, 60, 60])).debounceMs(), 75, '1.25 × 60 ms');
      // Mostly 80 ms within words, a few longer gaps between them: the 75th percentile rules.
      assert.equal((await typeWith([80, 80, 80, 80, 80, 80, 80, 200, 80, 300, 80, 80])).debounceMs(), 100);
      assert.equal((await typeWith(Array(8).fill(10))).debounceMs(), 40, 'never below 40 ms');
      assert.equal((await typeWith(Array(8).fill(900))).debounceMs(), 400, 'never above 400 ms');
      assert.equal((await typeWith(Array(8).fill(5000))).debounceMs(), 180, 'pauses are not a rhythm');
      assert.equal((await typeWith([], 1000)).debounceMs(), 400, 'the setting is bounded too');
    });

    it('shorter when the server is idle and the prompt is warm, not while a request runs', async () => {
      const { clock, scheduler } = setup(200);
      assert.equal(scheduler.debounceMs({ warm: true }), 120, '0.6 × 200 ms');
      const ticket = scheduler.enter(new AbortController().signal);
      const ready = track(scheduler.ready(ticket, { debounce: false }));
      await clock.advance(0);
      assert.equal(ready.value, true);
      assert.equal(scheduler.debounceMs({ warm: true }), 200, 'the server is busy');
      ticket.finish();
      await settle();
      assert.equal(scheduler.debounceMs({ warm: true }), 120);
    });

    it('a debounce of 0 stays 0', () => {
      const { scheduler } = setup(0);
      assert.equal(scheduler.debounceMs(), 0);
    });
  });

  describe('single flight and abort', () => {
    it('a newer keystroke aborts the request in flight (the signal reaches the backend)', async () => {
      const { clock, scheduler } = setup(50);
      const first = scheduler.enter(new AbortController().signal);
      const firstReady = track(scheduler.ready(first, { debounce: true }));
      await clock.advance(50);
      assert.equal(firstReady.value, true);
      // The request is running with first.signal...
      scheduler.enter(new AbortController().signal);
      assert.equal(first.signal.aborted, true);
      assert.equal(first.abortReason, 'superseded');
    });

    it('the next request waits until the aborted one has finished: one in flight per server', async () => {
      const { clock, scheduler } = setup(50);
      const first = scheduler.enter(new AbortController().signal);
      await clock.advance(0);
      const firstReady = track(scheduler.ready(first, { debounce: true }));
      await clock.advance(50);
      assert.equal(firstReady.value, true);

      const second = scheduler.enter(new AbortController().signal);
      const secondReady = track(scheduler.ready(second, { debounce: true }));
      await clock.advance(500);
      assert.equal(secondReady.settled, false, 'still waiting for the first to wind down');
      first.finish();
      await settle();
      assert.deepEqual(secondReady, { value: true, settled: true });
    });

    it("the editor's cancellation aborts the ticket", async () => {
      const { clock, scheduler } = setup(50);
      const caller = new AbortController();
      const ticket = scheduler.enter(caller.signal);
      const ready = track(scheduler.ready(ticket, { debounce: true }));
      caller.abort();
      await clock.advance(0);
      assert.deepEqual(ready, { value: false, settled: true });
      assert.equal(ticket.abortReason, 'cancelled');
    });

    it("a request already sent outlives the editor's cancellation by a grace, for the next call to keep it", async () => {
      const { clock, scheduler } = setup(50);
      const caller = new AbortController();
      const sent = scheduler.enter(caller.signal);
      assert.equal(await scheduler.ready(sent, { debounce: false }), true);
      caller.abort();
      // A loaded extension host may take most of a second before the editor's next call arrives.
      await clock.advance(900);
      assert.equal(sent.signal.aborted, false, 'still in flight');
      scheduler.enter(new AbortController().signal, sent);
      await clock.advance(5000);
      assert.equal(sent.signal.aborted, false, 'kept by the next call');
      // Not kept: the grace ends it.
      const other = new AbortController();
      const lone = scheduler.enter(other.signal);
      sent.finish();
      assert.equal(await scheduler.ready(lone, { debounce: false }), true);
      other.abort();
      await clock.advance(999);
      assert.equal(lone.signal.aborted, false);
      await clock.advance(1);
      assert.equal(lone.abortReason, 'cancelled');
    });

    it('an already cancelled caller gives an aborted ticket', async () => {
      const { scheduler } = setup(50);
      const caller = new AbortController();
      caller.abort();
      const ticket = scheduler.enter(caller.signal);
      assert.equal(ticket.signal.aborted, true);
      assert.equal(await scheduler.ready(ticket, { debounce: false }), false);
    });
  });

  describe('chat wins the server lane', () => {
    it('completions wait while a foreground request holds the lane', async () => {
      const { clock, lane, scheduler } = setup(50);
      const release = lane.acquireForeground();
      const ticket = scheduler.enter(new AbortController().signal);
      const ready = track(scheduler.ready(ticket, { debounce: true }));
      await clock.advance(5000);
      assert.equal(ready.settled, false);
      release();
      await settle();
      assert.deepEqual(ready, { value: true, settled: true });
    });

    it('a completion in flight is aborted when chat takes the lane', async () => {
      const { clock, lane, scheduler } = setup(50);
      const ticket = scheduler.enter(new AbortController().signal);
      const ready = track(scheduler.ready(ticket, { debounce: true }));
      await clock.advance(50);
      assert.equal(ready.value, true);
      lane.setForegroundBusy(true);
      assert.equal(ticket.signal.aborted, true);
      assert.equal(ticket.abortReason, 'foreground');
      lane.setForegroundBusy(false);
      assert.equal(lane.foregroundBusy, false);
    });

    it('holds are counted: the lane is free only when every foreground request is done', async () => {
      const lane = new ServerLane();
      const a = lane.acquireForeground();
      const b = lane.acquireForeground();
      a();
      a(); // releasing twice is harmless
      assert.equal(lane.foregroundBusy, true);
      b();
      assert.equal(lane.foregroundBusy, false);
    });

    it('a waiting completion superseded by a keystroke stops waiting', async () => {
      const { clock, lane, scheduler } = setup(50);
      lane.acquireForeground();
      const first = scheduler.enter(new AbortController().signal);
      const firstReady = track(scheduler.ready(first, { debounce: true }));
      await clock.advance(100);
      scheduler.enter(new AbortController().signal);
      await settle();
      assert.deepEqual(firstReady, { value: false, settled: true });
    });

    it('a server that runs requests in parallel never makes completions wait', async () => {
      const { clock, lane, scheduler } = setup(50);
      lane.exclusive = false;
      lane.acquireForeground();
      const ticket = scheduler.enter(new AbortController().signal);
      const ready = track(scheduler.ready(ticket, { debounce: true }));
      await clock.advance(50);
      assert.equal(ready.value, true);
    });

    it('ServerLanes gives one lane per host', () => {
      const lanes = new ServerLanes();
      assert.equal(lanes.for('http://127.0.0.1:11434'), lanes.for('http://127.0.0.1:11434'));
      assert.notEqual(lanes.for('http://127.0.0.1:11434'), lanes.for('http://gpu-box:11434'));
    });
  });
});
