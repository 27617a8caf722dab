// The extension opens no network connection except to the configured model server. Every TCP
// connection this process opens during a full cycle — health check, hardware detection and model
// choice, model listing, warm-up, completions with context, chat, a pull — is recorded at the
// socket level (net.Socket#connect, which fetch/undici, http and tls all go through) and by
// undici's own diagnostics channel, and must go to the simulator's address.

import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import * as net from 'node:net';
import { createModelManager } from '../../../src/models/manager';
import { DEFAULTS } from '../../../src/settings';
import { silentLogger } from '../../../src/log';
import { OllamaSimulator } from '../../sim/simulator';
import { noStrayErrors, Rig } from '../faults/rig';
import { FakeEditorContext } from '../support/editor';

interface Destination {
  via: string;
  host: string;
  port: number | string;
}

/** Records every outgoing connection until stopped (a host name is recorded before it is resolved). */
function recordConnections(): { destinations: Destination[]; stop(): void } {
  const destinations: Destination[] = [];
  const proto = net.Socket.prototype as unknown as { connect(...args: unknown[]): unknown };
  const originalConnect = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    if (typeof first === 'object' && first !== null) {
      const o = first as { host?: string; port?: number | string; path?: string };
      destinations.push({ via: 'net', host: o.path ?? o.host ?? 'localhost', port: o.port ?? '' });
    } else {
      destinations.push({ via: 'net', host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first as number });
    }
    return originalConnect.apply(this, args);
  };
  const onUndici = (message: unknown) => {
    const { connectParams } = message as { connectParams?: { hostname?: string; host?: string; port?: string | number } };
    if (connectParams) destinations.push({ via: 'undici', host: connectParams.hostname ?? connectParams.host ?? '?', port: connectParams.port ?? '' });
  };
  diagnostics.subscribe('undici:client:beforeConnect', onUndici);
  return {
    destinations,
    stop() {
      proto.connect = originalConnect;
      diagnostics.unsubscribe('undici:client:beforeConnect', onUndici);
    },
  };
}

describe('security: no network connection except to the configured server', function () {
  this.timeout(20_000);
  noStrayErrors();
  const sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1, pullStepMs: 1 } });
  before(() => sim.start());
  after(() => sim.stop());

  it('a whole session talks to the simulator only', async () => {
    const context = new FakeEditorContext().open('/repo/src/util.ts', 'typescript', 'export function total(items: number[]) { return items.length; }');
    const recorder = recordConnections();
    const rig = new Rig({ sim, context, warmOnRecovery: true });
    const models = createModelManager({
      settings: () => DEFAULTS,
      backend: () => rig.connection.backend(),
      log: silentLogger,
    });
    try {
      assert.equal(await rig.connection.health.check(), true);
      await models.ready(); // hardware detection (local tools) and /api/ps
      await models.refreshInstalled();
      await rig.warm();
      const backend = rig.connection.backend();
      await backend.show(models.completionModel()).catch(() => undefined);
      await backend.loadedModels();
      for (const code of ['const a = |\n', 'const ab = |\n', 'function total(items: number[]) {\n  |\n}\n']) await rig.complete(code);
      assert.equal((await rig.ask('Explain total()'))?.status, 'done');
      for await (const p of backend.pull('qwen2.5-coder:0.5b-base')) void p;
      await backend.version();
    } finally {
      recorder.stop();
      await rig.dispose();
    }

    const { port } = new URL(sim.url);
    assert.ok(recorder.destinations.some((d) => d.via === 'net'), 'connections were recorded');
    assert.ok(recorder.destinations.some((d) => d.via === 'undici'), 'undici reported its connections too');
    for (const d of recorder.destinations) {
      assert.equal(d.host, '127.0.0.1', `${d.via} connection to ${d.host}:${d.port}`);
      assert.equal(String(d.port), port, `${d.via} connection to ${d.host}:${d.port}`);
    }
    // The log confirms what the server saw: one client, every request an Ollama API call.
    assert.ok(sim.requests.every((r) => r.path.startsWith('/api/')));
  });
});
