import * as assert from 'node:assert/strict';
import { hostToRemember, REMEMBERED_SETTLE_MS, REMOTE_SETTLE_MS, settleDelayMs, whenSettled } from '../../src/startupPolicy';

/** A change event and timers the test drives by hand. */
function rig() {
  const listeners = new Set<() => void>();
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    onChange: (l: () => void) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    fire: () => [...listeners].forEach((l) => l()),
    listeners,
    timers: {
      set: (fn: () => void) => {
        timers.set(++next, fn);
        return next;
      },
      clear: (h: unknown) => timers.delete(h as number),
    },
    pending: timers,
  };
}

describe('startupPolicy', () => {
  it('decides at once when a setting or OLLAMA_HOST names the server, or in a local window', () => {
    assert.equal(settleDelayMs({ remoteName: 'ssh-remote', hostSource: 'setting', rememberedSettingHost: undefined }), 0);
    assert.equal(settleDelayMs({ remoteName: 'wsl', hostSource: 'env', rememberedSettingHost: 'http://a:1' }), 0);
    assert.equal(settleDelayMs({ remoteName: undefined, hostSource: 'default', rememberedSettingHost: undefined }), 0);
  });

  it('waits in a remote window that sees only the default, longer when a setting named the server before', () => {
    assert.equal(settleDelayMs({ remoteName: 'ssh-remote', hostSource: 'default', rememberedSettingHost: undefined }), REMOTE_SETTLE_MS);
    assert.equal(settleDelayMs({ remoteName: undefined, hostSource: 'default', rememberedSettingHost: 'http://gpu:11434' }), REMEMBERED_SETTLE_MS);
  });

  it('remembers a server that answered through the setting; forgets it when the user cleared the setting', () => {
    assert.equal(hostToRemember({ ok: true, host: 'http://gpu:11434', source: 'setting', clearedByUser: false }, undefined), 'http://gpu:11434');
    assert.equal(hostToRemember({ ok: false, host: 'http://127.0.0.1:11434', source: 'default', clearedByUser: false }, 'http://gpu:11434'), 'http://gpu:11434');
    assert.equal(hostToRemember({ ok: true, host: 'http://127.0.0.1:11434', source: 'default', clearedByUser: true }, 'http://gpu:11434'), undefined);
  });

  it('resolves when a change brings the server setting, and stops listening', async () => {
    const r = rig();
    let set = false;
    const settled = whenSettled(5_000, r.onChange, () => set, undefined, r.timers);
    r.fire(); // another setting changed: keep waiting
    assert.equal(r.listeners.size, 1);
    set = true;
    r.fire();
    assert.equal(await settled, true);
    assert.equal(r.listeners.size, 0);
    assert.equal(r.pending.size, 0, 'the timer is cleared');
  });

  it('resolves false after the delay, or at once on dispose, with nothing left behind', async () => {
    const r = rig();
    const late = whenSettled(5_000, r.onChange, () => false, undefined, r.timers);
    [...r.pending.values()][0]();
    assert.equal(await late, false);
    assert.equal(r.listeners.size, 0);

    const abort = new AbortController();
    const cancelled = whenSettled(5_000, r.onChange, () => false, abort.signal, r.timers);
    abort.abort();
    assert.equal(await cancelled, false);
    assert.equal(r.listeners.size, 0);
    assert.equal(r.pending.size, 0);
  });

  it('does not wait when there is no reason to', async () => {
    const r = rig();
    assert.equal(await whenSettled(0, r.onChange, () => false, undefined, r.timers), false);
    assert.equal(await whenSettled(5_000, r.onChange, () => true, undefined, r.timers), true);
    assert.equal(r.pending.size, 0);
  });
});
