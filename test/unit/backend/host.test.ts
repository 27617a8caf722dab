import assert from 'node:assert/strict';
import { DEFAULT_HOST, envHostQuestion, keyTravelsInClear, normalizeHost, parseHost, resolveHost } from '../../../src/backend/host';

describe('backend/host', () => {
  const cases: [string, string][] = [
    ['', DEFAULT_HOST],
    ['localhost', 'http://localhost:11434'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    [':9999', 'http://127.0.0.1:9999'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['example.com:80', 'http://example.com:80'],
    // Like Ollama: an explicit scheme without a port means that scheme's port.
    ['http://example.com', 'http://example.com:80'],
    ['https://example.com', 'https://example.com:443'],
    ['https://gpu.lan:8443/', 'https://gpu.lan:8443'],
    ['http://proxy.lan/ollama/', 'http://proxy.lan:80/ollama'],
    ['[::1]', 'http://[::1]:11434'],
    ['[::1]:1234', 'http://[::1]:1234'],
    ['  localhost  ', 'http://localhost:11434'],
    // As Ollama's envconfig.Host() (envconfig/config.go): a bare name is http on 11434, not https.
    ['example.com', 'http://example.com:11434'],
    ['ollama.com', 'https://ollama.com:443'],
    ['"gpu.lan:8080"', 'http://gpu.lan:8080'],
    // The listen-everywhere addresses are connected to on loopback.
    ['[::]', 'http://[::1]:11434'],
    ['[::]:9000', 'http://[::1]:9000'],
    ['::1', 'http://[::1]:11434'],
    ['HTTPS://GPU.LAN', 'https://gpu.lan:443'],
  ];
  for (const [input, expected] of cases) {
    it(`normalizes ${JSON.stringify(input)} → ${expected}`, () => assert.equal(normalizeHost(input), expected));
  }

  it('rejects what is not a server address, saying what was expected', () => {
    assert.throws(() => normalizeHost('ftp://x'), /must be http/);
    assert.throws(() => normalizeHost('http://exa mple'), /not a server address/);
  });

  it('warns and falls back to the default port for an invalid one, as Ollama does', () => {
    assert.deepEqual(parseHost('gpu.lan:99999'), { url: 'http://gpu.lan:11434', warning: '"gpu.lan:99999" has an invalid port "99999"; using 11434, as Ollama does.' });
    assert.equal(parseHost('https://gpu.lan:abc/ollama').url, 'https://gpu.lan:443/ollama');
    assert.match(parseHost('gpu.lan:').warning ?? '', /invalid port ""/);
    assert.equal(resolveHost('gpu.lan:70000', undefined).warning?.includes('invalid port'), true);
  });

  it('refuses user:pass@ with the reason, never dropping it silently', () => {
    assert.throws(() => normalizeHost('http://alice:s3cret@gpu.lan:11434'), /user name or password.*Set API Key/);
    assert.throws(() => normalizeHost('alice@gpu.lan'), /user name or password/);
  });

  it('prefers the setting, then OLLAMA_HOST, then the default', () => {
    assert.deepEqual(resolveHost('gpu-box', 'envhost'), { url: 'http://gpu-box:11434', source: 'setting' });
    assert.deepEqual(resolveHost('', 'envhost:1'), { url: 'http://envhost:1', source: 'env' });
    assert.deepEqual(resolveHost(undefined, undefined), { url: DEFAULT_HOST, source: 'default' });
  });

  it('knows when a key would travel in clear text', () => {
    assert.equal(keyTravelsInClear('http://127.0.0.1:11434'), false);
    assert.equal(keyTravelsInClear('http://localhost:11434'), false);
    assert.equal(keyTravelsInClear('http://[::1]:11434'), false);
    assert.equal(keyTravelsInClear('https://gpu.lan:443'), false);
    assert.equal(keyTravelsInClear('http://gpu.lan:11434'), true);
    assert.equal(keyTravelsInClear('http://192.168.1.5:11434'), true);
  });

  it('parses IP literals instead of prefix-matching them (security review finding 10)', () => {
    // Names any DNS server can point anywhere, however loopback-like they look.
    assert.equal(keyTravelsInClear('http://127.0.0.1.attacker.example:11434'), true);
    assert.equal(keyTravelsInClear('http://127.attacker.example'), true);
    assert.equal(keyTravelsInClear('http://localhost.attacker.example'), true);
    // Real loopback literals in every spelling the URL parser accepts.
    assert.equal(keyTravelsInClear('http://127.8.9.10:11434'), false);
    assert.equal(keyTravelsInClear('http://0x7f.1:11434'), false);
    assert.equal(keyTravelsInClear('http://2130706433:11434'), false);
    assert.equal(keyTravelsInClear('http://[::ffff:127.0.0.1]:11434'), false);
    assert.equal(keyTravelsInClear('http://[::ffff:10.0.0.1]:11434'), true);
    assert.equal(keyTravelsInClear('http://LOCALHOST:11434'), false);
  });

  it('asks before sending code to a remote server chosen by OLLAMA_HOST, not by the user (suspicion 13.2)', () => {
    const env = resolveHost(undefined, 'collector.example:11434');
    assert.match(envHostQuestion(env, []) ?? '', /OLLAMA_HOST environment variable points Qwen Local at http:\/\/collector\.example:11434/);
    assert.equal(envHostQuestion(env, ['http://collector.example:11434']), undefined, 'asked once');
    assert.equal(envHostQuestion(resolveHost(undefined, '127.0.0.1:11500'), []), undefined, 'loopback');
    assert.equal(envHostQuestion(resolveHost('gpu.lan', undefined), []), undefined, "the user's own setting");
  });
});
