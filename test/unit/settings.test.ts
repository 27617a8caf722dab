import assert from 'node:assert/strict';
import { DEFAULTS, readSettings } from '../../src/settings';
import { manifestSettings, settingGroups } from './support/manifest';

const properties = manifestSettings();

describe('settings', () => {
  it('returns the defaults when nothing is set', () => {
    assert.deepEqual(readSettings(() => undefined), DEFAULTS);
  });

  it('falls back to the default, with a warning, for values that cannot be used', () => {
    const warnings: string[] = [];
    const values: Record<string, unknown> = {
      'completion.debounceMs': 'fast',
      'completion.maxLines': 'many',
      'completion.disabledLanguages': 'python',
      'chat.temperature': 9,
      keepAlive: 'forever',
      'completion.model': '   ',
    };
    const s = readSettings((k) => values[k], (w) => warnings.push(w));
    assert.equal(s.completion.debounceMs, DEFAULTS.completion.debounceMs);
    assert.equal(s.completion.maxLines, 'auto');
    assert.deepEqual(s.completion.disabledLanguages, DEFAULTS.completion.disabledLanguages);
    assert.equal(s.chat.temperature, DEFAULTS.chat.temperature);
    assert.equal(s.keepAlive, '30m');
    assert.equal(s.completion.model, 'auto');
    assert.equal(warnings.length, 6);
    assert.ok(warnings.some((w) => /qwenLocal\.completion\.debounceMs .*"fast"/.test(w)), warnings.join("\n"));
  });

  it('accepts the values Ollama accepts for keep_alive', () => {
    for (const v of ['5m', '1h30m', '-1', '0', '300', '2.5h']) assert.equal(readSettings((k) => (k === 'keepAlive' ? v : undefined)).keepAlive, v);
  });

  it('matches the manifest: every setting read has a default and a description there', () => {
    const flat = (obj: object, prefix = ''): [string, unknown][] =>
      Object.entries(obj).flatMap(([k, v]) =>
        v && typeof v === 'object' && !Array.isArray(v) ? flat(v as object, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]],
      );
    for (const [key, value] of flat(DEFAULTS)) {
      const p = properties[`qwenLocal.${key}`];
      assert.ok(p, `qwenLocal.${key} is declared in package.json`);
      assert.deepEqual(p.default, value, `default of qwenLocal.${key}`);
      assert.ok(p.description || p.markdownDescription, `qwenLocal.${key} has a description`);
    }
  });

  it('reads the server kind and URL, and rejects an unknown kind with a warning', () => {
    const warnings: string[] = [];
    const values: Record<string, unknown> = { 'server.kind': 'openai', 'server.url': '  https://team-gpu.example:8000/v1 ' };
    const s = readSettings((k) => values[k], (w) => warnings.push(w));
    assert.deepEqual(s.server, { kind: 'openai', url: 'https://team-gpu.example:8000/v1', caFile: '' });
    const bad = readSettings((k) => (k === 'server.kind' ? 'vllm' : undefined), (w) => warnings.push(w));
    assert.equal(bad.server.kind, 'auto');
    assert.ok(warnings.some((w) => /qwenLocal\.server\.kind .*"vllm"/.test(w)), warnings.join('\n'));
  });

  it('declares the server settings next to the host setting, machine-scoped', () => {
    for (const key of ['qwenLocal.server.kind', 'qwenLocal.server.url', 'qwenLocal.server.caFile']) {
      const p = properties[key];
      assert.equal(p?.scope, 'machine', key);
      assert.ok(p?.markdownDescription, key);
      assert.ok(p?.order !== undefined && p.order <= 2, `${key} is ordered near qwenLocal.ollamaHost`);
    }
  });

  it('groups the settings as the settings editor shows them: Server first, the address at its top, each setting ordered', () => {
    const groups = settingGroups();
    assert.deepEqual(groups.map((g) => g.title), ['Server', 'Completions', 'Chat', 'Models', 'Codebase', 'Advanced']);
    assert.deepEqual(groups.map((g) => g.order), [0, 1, 2, 3, 4, 5]);
    const server = Object.entries(groups[0].properties).sort(([, a], [, b]) => (a.order ?? 99) - (b.order ?? 99));
    assert.equal(server[0][0], 'qwenLocal.server.url', 'the server address comes first');
    for (const g of groups) for (const [key, p] of Object.entries(g.properties)) assert.equal(typeof p.order, 'number', `${key} has an order`);
  });

  it('keeps the settings that decide where code goes out of a workspace\'s reach', () => {
    // machine scope: VS Code ignores values in .vscode/settings.json and .code-workspace files.
    assert.equal(properties['qwenLocal.ollamaHost']?.scope, 'machine');
    for (const [key, p] of Object.entries(properties)) {
      if (/host|apiKey|url/i.test(key)) assert.ok(p.scope === 'machine' || p.scope === 'application', `${key} must not be workspace-scoped`);
    }
  });
});
