// The team server through createCore, as activate() builds it: the kind is probed, the backend is
// the OpenAI-compatible one, and the API key comes from the per-origin key store. Against the vLLM
// simulator behind --api-key; the simulator's request log shows which key went where.

import assert from 'node:assert/strict';
import { readAnswer } from '../../../src/backend/stream';
import { serializeKeyStore, withKey, EMPTY_STORE } from '../../../src/backend/keys';
import type { CompletionRequest } from '../../../src/completion/engine';
import { API_KEY_SECRET, createCore, type Core } from '../../../src/core';
import { silentLogger } from '../../../src/log';
import { DEFAULTS, type Settings } from '../../../src/settings';
import { OpenAISimulator } from '../../sim/openai/server';
import { PlainSettings } from '../support/editor';

const BASE = 'Qwen/Qwen2.5-Coder-7B';
const CHAT = 'Qwen/Qwen2.5-Coder-7B-Instruct';
const KEY = 'sk-team-secret';

function build(url: string, secret: string | undefined, kind: Settings['server']['kind'] = 'auto') {
  const config = new PlainSettings({
    ...DEFAULTS,
    server: { kind, url, caFile: '' },
    completion: { ...DEFAULTS.completion, model: BASE },
    chat: { ...DEFAULTS.chat, model: CHAT },
  });
  const secrets = new Map<string, string>();
  if (secret !== undefined) secrets.set(API_KEY_SECRET, secret);
  const asked: string[] = [];
  const core: Core = createCore({
    config,
    log: silentLogger,
    ui: { statusChanged: () => {}, notify: () => {}, badHost: () => {}, keyInClear: () => {}, partlyOnCpu: () => {}, keyQuestion: (m) => asked.push(m) },
    envHost: () => undefined,
    secrets: { get: async (k) => secrets.get(k), store: async (k, v) => void secrets.set(k, v) },
    memento: { get: () => undefined, update: async () => {} },
    isFocused: () => true,
    setTimer: () => undefined,
    clearTimer: () => {},
    warmOnRecovery: false,
  });
  return { core, config, secrets, asked };
}

function request(): CompletionRequest {
  const text = 'function add(a, b) {\n  \n}\n';
  return {
    path: '/repo/src/add.ts',
    displayPath: 'src/add.ts',
    repoName: 'repo',
    languageId: 'typescript',
    text,
    offset: text.indexOf('\n  \n') + 3,
    indentation: { insertSpaces: true, tabSize: 2 },
    model: BASE,
    settings: { ...DEFAULTS.completion, debounceMs: 0, contextFromOtherFiles: false, keepAlive: DEFAULTS.keepAlive },
    explicit: true,
    signal: new AbortController().signal,
  };
}

describe('faults: a team server (OpenAI-compatible) through createCore', function () {
  this.timeout(20_000);
  const team = new OpenAISimulator({ apiKey: KEY, timing: { tokenMs: 1 } });
  const other = new OpenAISimulator({ timing: { tokenMs: 1 } });
  let core: Core | undefined;

  before(async () => {
    await team.start();
    await other.start();
  });
  after(async () => {
    await team.stop();
    await other.stop();
  });
  beforeEach(() => {
    team.reset();
    other.reset();
  });
  afterEach(() => core?.dispose());

  it('probes the kind, then a completion and a chat answer work behind --api-key', async () => {
    const store = serializeKeyStore(withKey(EMPTY_STORE, team.url, KEY));
    const built = build(team.url, store);
    core = built.core;
    const seen: (string | undefined)[] = [];
    core.onDidProbe((r) => seen.push(r.kind));
    await core.reloadApiKey();
    assert.deepEqual(seen, ['openai'], 'the editor hears of the probe (it hides Pull Model)');
    assert.equal(core.serverKind(), 'openai');
    assert.match(core.probed()?.summary ?? '', /Found vLLM at 127\.0\.0\.1:\d+, serving Qwen\/Qwen2\.5-Coder-7B/);
    assert.match(core.status.view().tooltip, /Found vLLM/, 'the tooltip says what was found');
    assert.equal(core.status.facts.connection, 'ready');

    team.addCompletionRule({ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' });
    const item = await core.engine.complete(request());
    assert.equal(item?.insertText, 'return a + b;');
    const completion = team.find({ endpoint: 'completions' });
    assert.equal(completion.length, 1);
    assert.equal(completion[0]!.headers.authorization, `Bearer ${KEY}`);

    const answer = await readAnswer(core.services.backend().chat({ model: CHAT, messages: [{ role: 'user', content: 'hi' }] }), { host: team.url });
    assert.equal(answer.end, 'done');
    assert.ok(answer.text.length > 0);
    assert.equal(team.find({ endpoint: 'chat' }).length, 1);
  });

  it('never sends a key set for one origin to another, and says so once', async () => {
    const store = serializeKeyStore(withKey(EMPTY_STORE, team.url, KEY));
    const built = build(team.url, store);
    core = built.core;
    await core.reloadApiKey();
    await built.config.update('server.url', other.url);
    await core.probe();
    assert.equal(core.serverKind(), 'openai');
    const answer = await readAnswer(core.services.backend().chat({ model: CHAT, messages: [{ role: 'user', content: 'hi' }] }), { host: other.url });
    assert.equal(answer.end, 'done');
    assert.ok(other.requests.length > 0);
    for (const r of other.requests) assert.equal(r.headers.authorization, undefined, `${r.method} ${r.path} carried a key`);
    assert.equal(built.asked.length, 1);
    assert.match(built.asked[0]!, new RegExp(`not sent to another server`));
  });

  it('binds the key of earlier versions to the server in use then, never to a later one', async () => {
    const built = build(team.url, KEY);
    core = built.core;
    await core.reloadApiKey();
    assert.deepEqual(JSON.parse(built.secrets.get(API_KEY_SECRET)!), { version: 1, keys: { [new URL(team.url).origin]: KEY } });
    await built.config.update('server.url', other.url);
    await core.probe();
    await readAnswer(core.services.backend().chat({ model: CHAT, messages: [{ role: 'user', content: 'hi' }] }), { host: other.url });
    for (const r of other.requests) assert.equal(r.headers.authorization, undefined);
  });

  it('a configured kind is used without guessing, and a 401 names the server and the command', async () => {
    const built = build(team.url, undefined, 'openai');
    core = built.core;
    await core.reloadApiKey();
    assert.equal(core.serverKind(), 'openai');
    assert.equal(core.probed()?.needsKey, true);
    assert.match(core.probed()?.summary ?? '', /needs an API key \(401\).*Set API Key/);
  });
});
