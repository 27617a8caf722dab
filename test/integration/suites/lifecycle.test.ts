// Everything the extension creates is disposed when it is deactivated: a second instance of the
// built extension runs with a recording vscode API (support/isolated.ts), then is deactivated as
// VS Code would do it, and nothing it created may be left behind.

import assert from 'node:assert/strict';
import { EXTENSION_ID } from '../support/config';
import { createIsolatedInstance, type IsolatedInstance } from '../support/isolated';
import { sleep } from '../support/wait';

describe('lifecycle', () => {
  let instance: IsolatedInstance;

  before(async () => {
    instance = createIsolatedInstance(EXTENSION_ID);
    await instance.activate();
    // Let the work activate() schedules for later (first health check, ...) start.
    await sleep(1_500);
  });

  after(async () => {
    // If a test failed before deactivating, do it now so nothing of this instance stays around.
    await instance?.deactivate().catch(() => {});
  });

  it('activate() creates its status bar item, log channel, commands and completion provider', () => {
    const what = instance.tracked.map((t) => t.what.split(' ')[0]);
    for (const expected of ['window.createStatusBarItem', 'window.createOutputChannel', 'commands.registerCommand', 'languages.registerInlineCompletionItemProvider']) {
      assert.ok(what.includes(expected), `${expected} missing; created: ${[...new Set(what)].join(', ')}`);
    }
  });

  it('every disposable it created is disposed on deactivate', async () => {
    await instance.deactivate();
    await sleep(300); // async continuations that might still create something
    const left = instance.tracked.filter((t) => !t.disposed);
    assert.deepEqual(
      left.map((t) => `${t.what}${t.late ? ' (created after deactivate)' : ''}\n${t.stack}`),
      [],
      'created and never disposed',
    );
  });

  it('no timer outlives it (intervals, or timeouts of a second or more)', () => {
    const armed = instance.timers.filter((t) => !t.cleared && !t.fired && (t.kind === 'interval' || t.ms >= 1000));
    assert.deepEqual(
      armed.map((t) => `${t.kind} ${t.ms} ms\n${t.stack}`),
      [],
      'timers still armed after deactivate',
    );
  });
});
