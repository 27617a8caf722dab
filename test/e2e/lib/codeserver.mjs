// A fresh code-server profile (user data, extensions, HOME, workspace) and the server itself.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { Proc, run, sleep } from './procs.mjs';
import { ROOT } from './paths.mjs';

export const CODE_SERVER_DIR = process.env.CODE_SERVER_DIR ?? join(ROOT, '.vscode-test', 'code-server');
const CURRENT_DIR = process.env.CODE_SERVER_CURRENT_DIR ?? join(ROOT, '.vscode-test', 'code-server-current');
const entryIn = (dir) => join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
/** The oldest editor's entry point (the default). */
export const ENTRY = entryIn(CODE_SERVER_DIR);

/**
 * The editors install-code-server.sh installs: `oldest` (VS Code 1.100, engines.vscode's minimum)
 * runs on the Node running the tests; `current` on its own Node 22 inside its folder, never on PATH.
 */
export const EDITORS = {
  oldest: { name: 'oldest', dir: CODE_SERVER_DIR, entry: ENTRY, node: process.execPath },
  current: { name: 'current', dir: CURRENT_DIR, entry: entryIn(CURRENT_DIR), node: join(CURRENT_DIR, 'node', 'bin', 'node') },
};
let editor = EDITORS.oldest;

/** Chooses the editor every later call here starts and installs into (run.mjs --vscode). */
export function useEditor(name) {
  if (!EDITORS[name]) throw new Error(`--vscode takes ${Object.keys(EDITORS).join(' or ')}, not ${name}`);
  editor = EDITORS[name];
  return editor;
}

/** Settings that keep a fresh profile quiet and deterministic (no tours, no network, no trust prompt). */
export const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.autofetch': false,
  'remote.autoForwardPorts': false,
  'git.openRepositoryInParentFolders': 'never',
  'files.autoSave': 'off',
  'editor.inlineSuggest.enabled': true,
  // The suggest widget would cover the ghost text and capture Tab/Enter.
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.parameterHints.enabled': false,
  'editor.hover.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.minimap.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  // code-server from npm has no bundled tsserver: use the project's TypeScript, as a developer would
  // (else the TypeScript extension shows an error notification over the scenarios).
  'typescript.tsdk': join(ROOT, 'node_modules', 'typescript', 'lib'),
  'typescript.disableAutomaticTypeAcquisition': true,
  'typescript.validate.enable': false,
  'javascript.validate.enable': false,
  'qwenLocal.logLevel': 'debug',
};

/**
 * Creates an empty profile under `dir`: udd (user data), ext (extensions), home (HOME of the server
 * and so of the extension host), workspace (sample files in a git repository).
 */
export function createProfile(dir, settings) {
  // A profile left by an earlier run (its settings, globalState, chat history, logs) must not
  // change this run: remove it whole, and refuse to go on if anything of it survived.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  if (existsSync(dir)) throw new Error(`could not remove the old profile ${dir}: is an earlier run's code-server still running?`);
  const p = {
    dir,
    udd: join(dir, 'udd'),
    ext: join(dir, 'ext'),
    home: join(dir, 'home'),
    workspace: join(dir, 'workspace'),
    config: join(dir, 'code-server.yaml'),
  };
  for (const d of [p.udd, join(p.udd, 'User'), p.ext, p.home, p.workspace]) mkdirSync(d, { recursive: true });
  writeFileSync(join(p.udd, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // code-server's window is a remote window: machine-scoped settings (qwenLocal.ollamaHost) belong
  // in the remote settings (UDD/Machine/settings.json, the settings editor's "Remote" tab). The
  // browser reads User/settings.json over the remote connection, and a reload under load
  // sometimes gets no user settings at all (VS Code keeps the empty result until the file changes);
  // the remote settings are read once the connection is up, with a change event. So both files
  // hold the same settings (the application-scoped ones apply from User only).
  mkdirSync(join(p.udd, 'Machine'), { recursive: true });
  writeFileSync(join(p.udd, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  // An empty config file: otherwise code-server writes ~/.config/code-server/config.yaml with a password.
  writeFileSync(p.config, 'auth: none\n');
  writeFileSync(join(p.home, '.gitconfig'), '[user]\n\tname = E2E Tester\n\temail = e2e@example.invalid\n[init]\n\tdefaultBranch = main\n');
  return p;
}

/** The environment of code-server and so of the extension host: isolated HOME, no OLLAMA_HOST. */
export function serverEnv(profile) {
  const env = { ...process.env, HOME: profile.home, XDG_CONFIG_HOME: join(profile.home, '.config'), XDG_DATA_HOME: join(profile.home, '.local', 'share') };
  delete env.OLLAMA_HOST;
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  return env;
}

/** Installs .vsix files (and copies unpacked extension folders) into the profile's extensions dir. */
export async function installExtensions(profile, { vsix = [], folders = [] }) {
  if (vsix.length) {
    const args = [editor.entry, '--config', profile.config, '--user-data-dir', profile.udd, '--extensions-dir', profile.ext, '--force'];
    for (const v of vsix) args.push('--install-extension', v);
    await run('install-extension', editor.node, args, { env: serverEnv(profile), timeoutMs: 120_000 });
  }
  for (const { from, id } of folders) cpSync(from, join(profile.ext, id), { recursive: true, dereference: true });
}

/**
 * Starts code-server on 127.0.0.1:port with the profile; resolves when it listens. `trust: true`
 * keeps VS Code's workspace trust on (the untrusted-workspace scenario); otherwise it is off.
 */
export async function startCodeServer(profile, port, logFile, { trust = false } = {}) {
  if (!existsSync(editor.entry) || !existsSync(editor.node)) throw new Error(`code-server (${editor.name}) is not installed in ${editor.dir}. Run: bash test/e2e/install-code-server.sh ${editor.name}`);
  const proc = new Proc(
    'code-server',
    editor.node,
    [
      editor.entry,
      '--config', profile.config,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', profile.udd,
      '--extensions-dir', profile.ext,
      '--disable-telemetry',
      '--disable-update-check',
      ...(trust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--disable-proxy',
      '--ignore-last-opened',
      // E2E_VSCODE_LOG=debug: every log of VS Code and the extensions at that level (big logs).
      ...(process.env.E2E_VSCODE_LOG ? ['--log', process.env.E2E_VSCODE_LOG] : []),
      profile.workspace,
    ],
    { env: serverEnv(profile), logFile, cwd: profile.dir },
  );
  await proc.waitForOutput(/HTTP server listening on/, 60_000);
  return { proc, url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(profile.workspace)}` };
}

function newestDir(dir) {
  if (!existsSync(dir)) return undefined;
  const dirs = readdirSync(dir)
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isDirectory())
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return dirs[0];
}

/** The extension host's log folder of the newest session (UDD/logs/<stamp>/exthost1), once it exists. */
export function exthostLogDir(profile) {
  const session = newestDir(join(profile.udd, 'logs'));
  if (!session) return undefined;
  // Each window reload starts a new exthostN folder; the newest is the live one.
  const hosts = existsSync(session)
    ? readdirSync(session)
        .filter((n) => /^exthost\d+$/.test(n))
        .sort((a, b) => Number(b.slice(7)) - Number(a.slice(7)))
    : [];
  return hosts.length ? join(session, hosts[0]) : undefined;
}

/** All extension host logs of this profile (every session, every host), concatenated. */
export function readExthostLogs(profile) {
  const root = join(profile.udd, 'logs');
  let text = '';
  if (!existsSync(root)) return text;
  for (const session of readdirSync(root)) {
    const sdir = join(root, session);
    if (!statSync(sdir).isDirectory()) continue;
    for (const host of readdirSync(sdir).filter((n) => /^exthost\d+$/.test(n))) {
      const f = join(sdir, host, 'remoteexthost.log');
      if (existsSync(f)) text += readFileSync(f, 'utf8');
    }
  }
  return text;
}

/**
 * Files of an extension's log output channels: the extension host writes a LogOutputChannel of
 * extension `id` to exthostN/<id>/<channel name>.log.
 */
export function findChannelLog(profile, extensionId, channelName) {
  const root = join(profile.udd, 'logs');
  const found = [];
  if (!existsSync(root)) return found;
  const walk = (dir, depth) => {
    if (depth > 4) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, depth + 1);
      else if (name === `${channelName}.log` && dir.toLowerCase().endsWith(extensionId.toLowerCase())) found.push(p);
    }
  };
  walk(root, 0);
  return found.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

/** How many lines of the live extension host's "Qwen Local" log match `re` (0 before it exists). */
export function countChannelLines(profile, extensionId, re) {
  const file = findChannelLog(profile, extensionId, 'Qwen Local').pop();
  if (!file) return 0;
  return readFileSync(file, 'utf8').split('\n').filter((l) => re.test(l)).length;
}

/** Lines of the exthost log that report a failed activation or an uncaught error of `extensionId`. */
export function activationErrors(profile, extensionId) {
  const id = extensionId.toLowerCase();
  return readExthostLogs(profile)
    .split('\n')
    .filter((line) => {
      const l = line.toLowerCase();
      if (!l.includes(id)) return false;
      return /\[error\]/.test(l) || l.includes('activating extension') && l.includes('failed');
    });
}

/** Waits until `probe()` is truthy, polling every `everyMs`. */
export async function poll(probe, timeoutMs, what, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
