// The key-binding policy (src/backend/keys.ts): a key is stored with the origin it was set for and
// never sent to another one; a changed address means asking again. Security review finding 10
// ("one global secret sent to whatever host resolves, including OLLAMA_HOST").

import assert from 'node:assert/strict';
import { bindLegacyKey, keyFor, keyQuestion, keyToSend, originOf, parseKeyStore, serializeKeyStore, withKey, EMPTY_STORE } from '../../../src/backend/keys';

const TEAM = 'https://gpu.team.example:443';
const KEY = 'sk-team-1f2e3d4c';

describe('security: API keys are bound to the server they were set for', () => {
  it('binds to scheme, host and port, never to a path or user info', () => {
    assert.equal(originOf('https://gpu.team.example:443/ollama'), 'https://gpu.team.example');
    assert.equal(originOf('http://GPU.lan:11434'), 'http://gpu.lan:11434');
    assert.equal(originOf('http://u:p@gpu.lan:11434/x'), 'http://gpu.lan:11434');
    assert.throws(() => originOf('ftp://gpu.lan'));
  });

  it('sends the key only to its own origin', () => {
    const parsed = { store: withKey(EMPTY_STORE, TEAM, KEY) };
    assert.equal(keyToSend(parsed, 'https://gpu.team.example:443/api'), KEY, 'same origin, another path');
    assert.equal(keyToSend(parsed, 'http://gpu.team.example:443'), undefined, 'http is another origin');
    assert.equal(keyToSend(parsed, 'https://gpu.team.example:8443'), undefined, 'another port');
    assert.equal(keyToSend(parsed, 'https://gpu.team.example.attacker.example'), undefined, 'a look-alike name');
    assert.equal(keyToSend(parsed, 'http://127.0.0.1:11434'), undefined, 'OLLAMA_HOST or a default local server');
  });

  it('asks again, naming both servers, when the address changed', () => {
    const parsed = { store: withKey(EMPTY_STORE, TEAM, KEY) };
    const decision = keyFor(parsed, 'http://10.0.0.7:11434');
    assert.deepEqual(decision, { kind: 'otherOrigin', origin: 'http://10.0.0.7:11434', boundTo: ['https://gpu.team.example'] });
    const question = keyQuestion(decision);
    assert.ok(question);
    assert.match(question.message, /http:\/\/10\.0\.0\.7:11434/);
    assert.match(question.message, /gpu\.team\.example/);
    assert.doesNotMatch(question.message, /`/, 'plain text for a notification');
    assert.equal(keyQuestion(keyFor(parsed, TEAM)), undefined, 'nothing to ask for the right server');
    assert.equal(keyQuestion(keyFor({ store: EMPTY_STORE }, TEAM)), undefined, 'nothing to ask without keys');
  });

  it('flags a key that would cross a network in clear text', () => {
    const lan = 'http://gpu.lan:11434';
    const decision = keyFor({ store: withKey(EMPTY_STORE, lan, KEY) }, lan);
    assert.equal(decision.kind === 'send' && decision.clearText, true);
    const secure = keyFor({ store: withKey(EMPTY_STORE, TEAM, KEY) }, TEAM);
    assert.equal(secure.kind === 'send' && secure.clearText, false);
  });

  it('never sends an old unbound key until the user binds it to one server', () => {
    const parsed = parseKeyStore('sk-old-global-key');
    assert.equal(parsed.legacyKey, 'sk-old-global-key');
    assert.equal(keyToSend(parsed, TEAM), undefined);
    assert.equal(keyFor(parsed, TEAM).kind, 'legacy');
    const bound = { store: bindLegacyKey(parsed, TEAM) };
    assert.equal(keyToSend(bound, TEAM), 'sk-old-global-key');
    assert.equal(keyToSend(bound, 'http://127.0.0.1:11434'), undefined);
  });

  it('round-trips through the stored text; removing a key removes only that origin', () => {
    let store = withKey(EMPTY_STORE, TEAM, KEY);
    store = withKey(store, 'http://gpu.lan:11434', 'sk-lan');
    const parsed = parseKeyStore(serializeKeyStore(store));
    assert.equal(parsed.legacyKey, undefined);
    assert.deepEqual(parsed.store, store);
    const removed = withKey(parsed.store, 'http://gpu.lan:11434', '');
    assert.deepEqual(Object.keys(removed.keys), ['https://gpu.team.example']);
    // An entry that names no server is dropped rather than guessed.
    assert.deepEqual(parseKeyStore('{"version":1,"keys":{"not a url":"sk-x"}}').store.keys, {});
    assert.deepEqual(parseKeyStore(undefined), { store: EMPTY_STORE });
  });
});
