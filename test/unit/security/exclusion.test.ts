// Files matched by `qwenLocal.completion.exclude` (its defaults) never reach the model server: not
// as the file being edited, not as context (open editors, recent edits, imports), not in a chat.
// Checked on what the simulator received — every request body — not on internal state.

import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { OllamaSimulator } from '../../sim/simulator';
import { noStrayErrors, Rig } from '../faults/rig';
import { FakeEditorContext } from '../support/editor';

/** Secret files, each with a marker that must never be sent; the code in them looks like the code being written. */
const SECRETS: { path: string; marker: string }[] = [
  { path: '/repo/.env', marker: 'SECRET_DOTENV_4f1c' },
  { path: '/repo/.env.production', marker: 'SECRET_DOTENV_PROD_77aa' },
  { path: '/repo/config/secrets.json', marker: 'SECRET_JSON_9b2e' },
  { path: '/repo/certs/server.pem', marker: 'SECRET_PEM_0c3d' },
  { path: '/repo/deploy/signing.key', marker: 'SECRET_KEY_5e6f' },
  { path: '/home/dev/.ssh/id_rsa', marker: 'SECRET_RSA_8d21' },
  { path: '/home/dev/.ssh/config', marker: 'SECRET_SSHCONF_1a2b' },
  { path: '/home/dev/.aws/credentials', marker: 'SECRET_AWS_3c4d' },
  { path: '/repo/.npmrc', marker: 'SECRET_NPMRC_6a7b' },
  { path: '/home/dev/.netrc', marker: 'SECRET_NETRC_2e2e' },
];

const CODE_AROUND_CURSOR = [
  "import { createClient } from './client';",
  '',
  'export function connectDatabase(databaseUrl: string, databasePassword: string) {',
  '  const client = createClient(databaseUrl, databasePassword);',
  '  |',
  '}',
  '',
].join('\n');

/** Text that shares the identifiers around the cursor, so the ranking would pick it if it could. */
function lookalike(marker: string): string {
  return [
    `// ${marker}`,
    `const databaseUrl = "postgres://admin:${marker}@db.internal/prod";`,
    `const databasePassword = "${marker}";`,
    'export function connectDatabase() {',
    '  return createClient(databaseUrl, databasePassword);',
    '}',
  ].join('\n');
}

function sentText(sim: OllamaSimulator): string {
  return sim.requests.map((r) => JSON.stringify(r.body ?? {})).join('\n');
}

const isExcluded = picomatch([...DEFAULT_EXCLUDE], { dot: true });

describe('security: excluded files never reach a prompt', function () {
  this.timeout(10_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig;

  beforeEach(async () => {
    sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
    await sim.start();
  });
  afterEach(async () => {
    await rig.dispose();
    await sim.stop();
  });

  it('the secret paths used here are all matched by the default globs', () => {
    rig = new Rig({ sim });
    for (const { path } of SECRETS) assert.ok(isExcluded(path), path);
  });

  it('open editors and recent edits: excluded documents are never read, never in the prompt; others are', async () => {
    const context = new FakeEditorContext();
    for (const { path, marker } of SECRETS) {
      // Same language as the file being edited: only the exclusion can keep them out.
      context.open(path, 'typescript', lookalike(marker)).edit(path, 2);
    }
    context.open('/repo/src/db.ts', 'typescript', lookalike('CONTROL_OPEN_EDITOR_OK'));
    rig = new Rig({ sim, context });
    const item = await rig.complete(CODE_AROUND_CURSOR);
    assert.ok(item, 'a completion came back');
    const sent = sentText(sim);
    assert.ok(sent.includes('CONTROL_OPEN_EDITOR_OK'), 'context from other files is on: the control snippet was sent');
    for (const { path, marker } of SECRETS) {
      assert.ok(!sent.includes(marker), `${path} leaked into a request`);
      assert.ok(!context.texts.includes(path), `${path} was read`);
    }
  });

  it('imports: excluded files the code imports are never read (TypeScript and Python)', async () => {
    const context = new FakeEditorContext();
    const secretImports = ['/repo/src/secrets.ts', '/repo/src/credentials.ts', '/repo/src/.env.ts', '/repo/src/id_rsa.ts', '/repo/app/secrets.py', '/repo/app/credentials.py'];
    for (const path of secretImports) context.file(path, lookalike(`SECRET_IMPORT_${path.replace(/\W/g, '_')}`));
    context.file('/repo/src/util.ts', lookalike('CONTROL_TS_IMPORT_OK'));
    context.file('/repo/app/helpers.py', lookalike('CONTROL_PY_IMPORT_OK'));
    rig = new Rig({ sim, context });

    const ts = [
      "import { databaseUrl } from './secrets';",
      "import * as creds from './credentials';",
      "import env from './.env';",
      "import key from './id_rsa';",
      "import { createClient } from './util';",
      '',
      CODE_AROUND_CURSOR,
    ].join('\n');
    assert.ok(await rig.complete(ts));
    const py = ['import secrets', 'from credentials import databasePassword', 'from helpers import createClient', '', 'def connectDatabase(databaseUrl, databasePassword):', '    client = createClient(databaseUrl, databasePassword)', '    |', ''].join('\n');
    assert.ok(await rig.complete(py, { path: '/repo/app/main.py', displayPath: 'app/main.py', languageId: 'python', indentation: { insertSpaces: true, tabSize: 4 } }));

    const sent = sentText(sim);
    assert.ok(sent.includes('CONTROL_TS_IMPORT_OK') && sent.includes('CONTROL_PY_IMPORT_OK'), 'imported files are used as context');
    assert.ok(!sent.includes('SECRET_IMPORT'), 'no excluded import was sent');
    for (const path of secretImports) assert.ok(!context.reads.includes(path), `${path} was read`);
    assert.deepEqual(context.reads.filter((p) => isExcluded(p)), []);
  });

  it('editing an excluded file sends nothing at all', async () => {
    const context = new FakeEditorContext();
    context.open('/repo/src/db.ts', 'typescript', lookalike('CONTROL_OPEN_EDITOR_OK'));
    rig = new Rig({ sim, context });
    const cases = [
      ...SECRETS.map(({ path }) => ({ path, displayPath: path.startsWith('/repo/') ? path.slice('/repo/'.length) : path })),
      // Only the workspace-relative path matches (the provider passes both).
      { path: '/mnt/share/checkout/.env.local', displayPath: '.env.local' },
      // Windows paths.
      { path: 'C:\\Users\\dev\\.ssh\\id_ed25519', displayPath: 'C:\\Users\\dev\\.ssh\\id_ed25519' },
      { path: 'C:\\work\\app\\secrets.yaml', displayPath: 'secrets.yaml' },
    ];
    for (const { path, displayPath } of cases) {
      const text = `API_TOKEN=${'x'.repeat(8)}\nDATABASE_URL=|\n`;
      assert.equal(await rig.complete(text, { path, displayPath, languageId: 'typescript' }), undefined, path);
    }
    assert.deepEqual(sim.requests.map((r) => r.path), [], 'no request of any kind');
    assert.equal(rig.ended.length, 0);
  });

  it('chat: an excluded file in the editor is not attached, and an explicit attachment of one is refused', async () => {
    rig = new Rig({ sim });
    const secret = SECRETS[0];
    assert.ok(secret);
    rig.ide.editor = {
      file: { uri: 'file:///repo/.env', fsPath: '/repo/.env', relativePath: '.env', languageId: 'dotenv', text: lookalike(secret.marker) },
      selection: { range: { startLine: 2, endLine: 3 }, text: `const databasePassword = "${secret.marker}";` },
    };
    const { controller } = await rig.chat();
    // The panel's Send: auto chips for the current file and selection.
    await controller.handle({ type: 'send', text: 'What does this configure?' });
    // A command attaching the excluded file explicitly.
    await controller.attach([{ kind: 'file', label: 'server.pem', path: 'certs/server.pem', content: lookalike('SECRET_PEM_0c3d') }], false);
    assert.ok(rig.ide.warnings.some((w) => w.includes('certs/server.pem') && w.includes('never sent')));
    await controller.ask({ prompt: 'And this?', reveal: false, attachments: [{ kind: 'file', label: 'credentials', path: '.aws/credentials', content: lookalike('SECRET_AWS_3c4d') }] });
    const chats = sim.find({ endpoint: 'chat' });
    assert.equal(chats.length, 2, 'both questions were asked');
    const sent = sentText(sim);
    assert.ok(sent.includes('What does this configure?'));
    for (const { marker } of SECRETS) assert.ok(!sent.includes(marker), `${marker} leaked into a chat request`);
  });
});
