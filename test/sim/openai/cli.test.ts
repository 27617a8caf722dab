// The OpenAI-compatible simulator as its own process (for the end-to-end team-server scenario),
// driven through the `openai` client and its control port.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { OpenAISimConfig } from './types';

describe('OpenAI-compatible simulator CLI', function () {
  this.timeout(20_000);
  let child: ChildProcess;
  let url = '';
  let controlUrl = '';

  const control = async (path: string, body?: unknown, method?: string) => {
    const res = await fetch(`${controlUrl}${path}`, { method: method ?? (body !== undefined ? 'POST' : 'GET'), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    assert.equal(res.status, 200, `${path} → ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };

  before(async function () {
    const dir = mkdtempSync(join(tmpdir(), 'openai-sim-'));
    const config: OpenAISimConfig = { apiKey: 'team-key', timing: { tokenMs: 1 }, completions: [{ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' }] };
    const configPath = join(dir, 'sim.json');
    writeFileSync(configPath, JSON.stringify(config));
    const cli = join(process.cwd(), 'test', 'sim', 'openai', 'cli.ts');
    child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--config', configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`simulator CLI exited with ${code}`)));
    });
    ({ url, controlUrl } = JSON.parse(first) as { url: string; controlUrl: string });
  });

  after(async function () {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('serves the configured key and rules; is steered through the control port', async function () {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'team-key', maxRetries: 0 });
    const r = await client.completions.create({ model: 'Qwen/Qwen2.5-Coder-7B', prompt: '<|fim_prefix|>function add(a, b) {\n  <|fim_suffix|>\n}<|fim_middle|>', max_tokens: 20 });
    assert.equal(r.choices[0]?.text, 'return a + b;');

    await control('/faults', { kind: 'status', status: 503, times: 1 });
    const busy = await client.completions.create({ model: 'Qwen/Qwen2.5-Coder-7B', prompt: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(busy instanceof APIError && busy.status === 503);
    const log = (await control('/log')).requests as { path: string; status: number }[];
    assert.deepEqual(log.map((x) => x.status), [200, 503]);

    await control('/offline', {});
    const gone = await client.models.list().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(gone instanceof APIConnectionError);
    await control('/online', {});
    assert.equal((await client.models.list()).data.length, 2);
    assert.equal((await control('/stats')).online, true);
  });
});
