// createCore(): the policies activate() used to hold inline — the host resolved once per setting
// value, the API key's clear-text warning, the snooze — tested on the core itself, without a server.

import assert from 'node:assert/strict';
import { createCore, type Core } from '../../src/core';
import { DEFAULT_HOST } from '../../src/backend/host';
import { BackendError } from '../../src/backend/errors';
import { createLogger, type Logger } from '../../src/log';
import { DEFAULTS } from '../../src/settings';
import { PlainSettings } from './support/editor';
import { FakeBackend } from './support/fakeBackend';

function build(options: { host?: string; key?: string } = {}) {
  const logged: string[] = [];
  const keep = (m: string) => void logged.push(m);
  const log: Logger = createLogger({ error: keep, warn: keep, info: keep, debug: keep }, () => 'info');
  const config = new PlainSettings({ ...DEFAULTS, ollamaHost: options.host ?? '' });
  const memento = new Map<string, unknown>();
  const told: string[] = [];
  const hosts: string[] = [];
  const core: Core = createCore({
    config,
    log,
    ui: { statusChanged: () => {}, notify: () => {}, badHost: (m) => told.push(m), keyInClear: (m) => told.push(m), partlyOnCpu: (m) => told.push(m) },
    envHost: () => undefined,
    secrets: { get: async () => options.key },
    memento: { get: <T>(k: string) => memento.get(k) as T | undefined, update: async (k, v) => void memento.set(k, v) },
    isFocused: () => true,
    setTimer: () => undefined,
    clearTimer: () => {},
    createBackend: (host) => {
      hosts.push(host);
      return new FakeBackend();
    },
    warmOnRecovery: false,
    // No server behind these tests: the kind probe fails at once instead of waiting on the network.
    fetch: async () => {
      throw new TypeError('fetch failed');
    },
  });
  return { core, config, memento, told, hosts, logged };
}

describe('createCore', () => {
  it('resolves the host once per setting value: an invalid one is reported once and the default used', async () => {
    const { core, config, told } = build({ host: 'not a url at all' });
    try {
      for (let i = 0; i < 5; i++) assert.equal(core.host().url, DEFAULT_HOST);
      assert.equal(told.length, 1);
      assert.match(told[0]!, /Ignoring the Ollama host setting/);
      await config.update('ollamaHost', 'http://10.0.0.5:11434');
      assert.equal(core.host().url, 'http://10.0.0.5:11434');
      assert.equal(core.host().source, 'setting');
      assert.equal(core.status.facts.host, 'http://10.0.0.5:11434', 'the status follows the setting');
      assert.equal(told.length, 1);
    } finally {
      core.dispose();
    }
  });

  it('takes qwenLocal.server.url first, and still reads the older ollamaHost when it is empty', async () => {
    const { core, config } = build({ host: 'http://10.0.0.5:11434' });
    try {
      assert.equal(core.host().url, 'http://10.0.0.5:11434');
      await config.update('server.url', 'https://team-gpu.example:8000');
      assert.equal(core.host().url, 'https://team-gpu.example:8000');
      await config.update('server.url', '');
      assert.equal(core.host().url, 'http://10.0.0.5:11434');
    } finally {
      core.dispose();
    }
  });

  it('reads the host when asked, never keeps the value it saw while being built', async () => {
    const { core, config, hosts } = build();
    try {
      assert.equal(core.host().source, 'default');
      await config.update('ollamaHost', 'http://192.168.1.20:11434');
      await core.reloadApiKey(); // the health check after activation
      assert.deepEqual(hosts, ['http://192.168.1.20:11434'], 'the first backend is built for the loaded setting');
    } finally {
      core.dispose();
    }
  });

  it('warns once, ever, when the API key would travel over plain http to another machine', async () => {
    const remote = build({ host: 'http://10.0.0.5:11434', key: 'sk-test' });
    try {
      await remote.core.reloadApiKey();
      await remote.core.reloadApiKey();
      assert.equal(remote.told.length, 1);
      assert.match(remote.told[0]!, /over plain http/);
    } finally {
      remote.core.dispose();
    }
    for (const host of ['https://10.0.0.5:11434', 'http://127.0.0.1:11434']) {
      const safe = build({ host, key: 'sk-test' });
      await safe.core.reloadApiKey();
      safe.core.dispose();
      assert.deepEqual(safe.told, [], host);
    }
  });

  it('says in the log when an outage ends (its toast goes away without a word), never at the first connection', () => {
    const { core, logged } = build();
    try {
      const over = () => logged.filter((m) => /answers again: the outage is over/.test(m));
      core.status.reportOk();
      assert.deepEqual(over(), [], 'the first connection is no outage');
      core.status.reportError(new BackendError('unreachable', 'not running', { host: DEFAULT_HOST }));
      core.status.reportError(new BackendError('unreachable', 'not running', { host: DEFAULT_HOST }));
      core.status.reportOk();
      core.status.reportOk();
      assert.deepEqual(over(), [`[status] ${DEFAULT_HOST} answers again: the outage is over.`]);
    } finally {
      core.dispose();
    }
  });

  it('snoozes completions, remembers it, and ends the snooze on the second call', async () => {
    const { core, memento } = build();
    try {
      assert.equal(core.completionsActive(), true);
      const until = await core.toggleSnooze();
      assert.ok(until > Date.now());
      assert.equal(core.completionsActive(), false);
      assert.equal(memento.get('qwenLocal.snoozedUntil'), until);
      assert.equal(core.status.facts.snoozedUntil, until);
      assert.equal(await core.toggleSnooze(), 0);
      assert.equal(core.completionsActive(), true);
    } finally {
      core.dispose();
    }
  });
});
