// createCore(deps): the extension without VS Code. Builds what the features share — the host and
// API-key policies, the connection (backend + outcome reporting + health), the status model, the
// server lanes, the model resolver, the warm-up and the completion engine — from injected plain
// dependencies. activate() adapts VS Code to these deps; the fault matrix builds the same core.

import type { Backend } from './backend/backend';
import { Connection, defaultBackend, type BackendKind } from './backend/connection';
import type { BackendError } from './backend/errors';
import { hostResolver, isLoopbackHost, keyTravelsInClear, type ResolvedHost } from './backend/host';
import { Keyring } from './backend/keyring';
import { ServerLanes } from './backend/lanes';
import { ModelResidency, residencyGate } from './backend/residency';
import { serverName, type ProbeResult } from './backend/probe';
import { CaFileFetch, ServerProbe } from './backend/serverProbe';
import { partlyOnCpuWarning, warmUp } from './backend/warmup';
import type { EditorContextSource } from './completion/context';
import { CompletionEngine, type RequestEndEvent } from './completion/engine';
import type { HardwareInfo } from './hardware/types';
import type { Logger } from './log';
import { createModelManager, type ModelManager, type RemoteServer } from './models/manager';
import type { Services, SettingsSource } from './services';
import { StatusModel } from './ui/statusModel';

export const API_KEY_SECRET = 'qwenLocal.apiKey';
const SNOOZE_MS = 15 * 60_000;
/** globalState keys. */
const CPU_WARNED = 'qwenLocal.cpuWarned';
const WARNED_CLEAR_KEY = 'qwenLocal.warnedClearKey';
const SNOOZED_UNTIL = 'qwenLocal.snoozedUntil';

/** VS Code's globalState, as the core uses it. */
export interface Memento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** What a person is told; the editor shows notifications, tests record them. */
export interface CoreUi {
  /** The status changed: render it again. */
  statusChanged(): void;
  /** A new incident (never twice for one incident). */
  notify(error: BackendError): void;
  /** An outage ended (its notification can go). */
  recovered?(): void;
  /** The host setting is invalid and ignored (once per value). */
  badHost(message: string): void;
  /** The API key would travel over plain http (once ever). */
  keyInClear(message: string): void;
  /** Part of the completion model runs on the CPU (once per model). */
  partlyOnCpu(message: string): void;
  /** The server changed and no API key is bound to it (once per server): offer to set one. */
  keyQuestion?(message: string): void;
}

export interface CoreDeps {
  config: SettingsSource;
  log: Logger;
  ui: CoreUi;
  /** The OLLAMA_HOST environment variable, read per use. */
  envHost(): string | undefined;
  /** SecretStorage, read after activation and after each change of the key (a per-origin key store, keys.ts). */
  secrets: { get(key: string): PromiseLike<string | undefined>; store?(key: string, value: string): PromiseLike<void> };
  /** A key already known when the core is built (tests); the editor's comes from `secrets`. */
  apiKey?: string;
  memento: Memento;
  isFocused(): boolean;
  /** The health monitor's timers (tests record them). */
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
  /** Open editors, recent edits and file reads, for completion context from other files. */
  editorContext?: EditorContextSource;
  /** Defaults to the backend for the server's kind (Ollama or OpenAI-compatible); tests may wrap it. */
  createBackend?(host: string, apiKey: string | undefined, kind: BackendKind): Backend;
  /** The probe's fetch (tests); defaults to the global one. */
  fetch?: typeof fetch;
  /** Defaults to running the real tools (hardware/detect.ts). */
  detect?(): Promise<HardwareInfo>;
  /** Load the completion model when the server becomes reachable (default true). */
  warmOnRecovery?: boolean;
  /** Every finished completion request (statistics beside the engine's own; tests). */
  onRequestEnd?(event: RequestEndEvent): void;
  /** Tests shorten them: how long completions may wait for a first token before the model counts as cold; how long idle before /api/ps is asked. */
  slowFirstByteMs?: number;
  residencyCheckAfterMs?: number;
}

export interface Core {
  readonly services: Services;
  readonly status: StatusModel;
  readonly connection: Connection;
  readonly lanes: ServerLanes;
  readonly models: ModelManager;
  readonly engine: CompletionEngine;
  /** The server address now: the setting, else OLLAMA_HOST, else the default; resolved once per value. */
  host(): ResolvedHost;
  /** The API key for the current server's origin (never one set for another server). */
  apiKey(): string | undefined;
  /** Which API the server speaks: the setting, else what the probe found (Ollama until it has). */
  serverKind(): BackendKind;
  /** What the last probe of the current address found, if it has run. */
  probed(): ProbeResult | undefined;
  /** Called after each probe of the current server (the editor updates its context keys). */
  onDidProbe(listener: (result: ProbeResult) => void): { dispose(): void };
  /** Asks the server what it is (once per address, kind and key; `force` asks again). */
  probe(force?: boolean): Promise<ProbeResult>;
  /** Completions are on and not snoozed. */
  completionsActive(): boolean;
  /** Snoozes completions for 15 minutes, or ends a snooze; returns the new end (0: none). */
  toggleSnooze(): Promise<number>;
  snoozedUntil(): number;
  /**
   * Reads the API key again (after activation, after a change) and warns if it travels in clear;
   * then checks the server unless `check` is false (activation checks once the settings are in).
   */
  reloadApiKey(options?: { check?: boolean }): Promise<void>;
  /** Finds out what kind of server answers at the address (once per address), then checks it. */
  checkServer(): Promise<boolean>;
  /** Settles when the warm-up in progress (if any) has ended. */
  whenWarm(): Promise<void>;
  dispose(): void;
}

export function createCore(deps: CoreDeps): Core {
  const { config, log, ui } = deps;
  const disposables: { dispose(): void }[] = [];

  // A setting that cannot be used (the host, the CA file): logged and told, and ignored.
  const badSetting = (message: string) => {
    log.warn(message);
    ui.badHost(message);
  };
  // server.url wins; the older ollamaHost keeps working when it is empty.
  const host = hostResolver(() => config.settings.server.url || config.settings.ollamaHost, deps.envHost, badSetting);

  // The per-origin key store (keys.ts): a key is only ever sent to the origin it was set for.
  const keyring = new Keyring({
    read: () => deps.secrets.get(API_KEY_SECRET),
    write: deps.secrets.store && ((value) => deps.secrets.store!(API_KEY_SECRET, value)),
    fallbackKey: deps.apiKey,
    log,
    ask: (message) => ui.keyQuestion?.(message),
  });
  const apiKey = (): string | undefined => keyring.keyFor(host().url);

  // The CA file for a self-signed team server, and the server's kind, probed once per (address,
  // configured kind, key, CA file) and said in the log and the status tooltip.
  const caFiles = new CaFileFetch(badSetting, (path) => log.info(`Trusting the CA certificate in ${path} for the model server.`));
  const serverFetch = (): typeof fetch | undefined => deps.fetch ?? caFiles.fetchFor(config.settings.server.caFile);
  const probeLog = log.child('server');
  const probeListeners = new Set<(result: ProbeResult) => void>();
  const serverProbe = new ServerProbe({
    url: () => host().url,
    configuredKind: () => config.settings.server.kind,
    apiKey: () => apiKey(),
    caFile: () => config.settings.server.caFile,
    fetch: serverFetch,
    onResult: (result) => {
      if (result.kind) probeLog.info(result.summary);
      else probeLog.warn(result.summary);
      status.update({ server: result.summary, serverKind: result.kind, serverName: result.kind ? serverName(result.kind, result.engine, result.root) : undefined });
      for (const listener of [...probeListeners]) listener(result);
      // The kind may have changed the backend: list what this server has before choosing from it.
      if (result.kind && remote()) void models.refreshInstalled(AbortSignal.timeout(5_000));
    },
  });
  const probed = () => serverProbe.result();
  const serverKind = (): BackendKind => serverProbe.kind();
  const runProbe = (force = false): Promise<ProbeResult> => serverProbe.run(force);
  let warming: Promise<void> = Promise.resolve();
  // `auto` resolves through the hardware choice; until detection ends, a choice safe anywhere.
  // A team server or a remote Ollama: models come from what it lists, never from this machine's GPU.
  const remote = (): RemoteServer | undefined => {
    const url = new URL(host().url);
    const kind = serverKind();
    return kind === 'openai' || !isLoopbackHost(url.hostname) ? { label: url.host, kind } : undefined;
  };
  const models = createModelManager({ settings: () => config.settings, backend: () => connection.backend(), log: log.child('models'), detect: deps.detect, remote });
  const statusLog = log.child('status');
  const status = new StatusModel(
    {
      host: host().url,
      completionModel: models.completionModel(),
      chatModel: models.chatModel(),
      completionsEnabled: config.settings.completion.enabled,
      snoozedUntil: deps.memento.get<number>(SNOOZED_UNTIL) ?? 0,
    },
    {
      changed: () => ui.statusChanged(),
      notify: (error) => ui.notify(error),
      recovered: (from) => {
        // Said in the log, since the outage's toast goes away without a word.
        if (from === 'offline') statusLog.info(`${host().url} answers again: the outage is over.`);
        ui.recovered?.();
        // After an outage the server may have restarted: nothing is loaded any more.
        residency.forget();
        warmIfOn();
      },
      log: (m) => statusLog.warn(m),
    },
  );

  const connection = new Connection({
    host: () => host().url,
    apiKey,
    kind: serverKind,
    status,
    isFocused: deps.isFocused,
    setTimer: deps.setTimer,
    clearTimer: deps.clearTimer,
    variant: () => config.settings.server.caFile,
    createBackend: deps.createBackend ?? ((h, key, kind) => defaultBackend(h, key, kind, serverFetch())),
  });
  disposables.push(connection);

  // One lane per server: chat and actions take it first, completions wait.
  const lanes = new ServerLanes();
  const services: Services = {
    config,
    log,
    backend: () => connection.backend(),
    status,
    models,
    holdServer: () => lanes.for(connection.host).acquireForeground(),
  };

  const completionLog = log.child('completion');
  const working = new Map<string, () => void>();
  // Cold completion model: the warm-up loads it, never a completion (residency.ts says why).
  const residency = new ModelResidency(Date.now, deps.slowFirstByteMs, deps.residencyCheckAfterMs);
  const residencyKey = (model: string) => `${host().url}|${model}`;
  const engine = new CompletionEngine({
    backend: () => connection.backend(),
    context: deps.editorContext,
    lanes,
    log: completionLog,
    beforeSend: residencyGate({ residency, key: residencyKey, numCtx: () => models.completionNumCtx(), warm: () => warmIfOn(), warming: () => warming, log: (m) => completionLog.info(m),
      active: () => serverKind() === 'ollama' && (deps.warmOnRecovery ?? true), loadedModels: (signal) => connection.backend().loadedModels(signal) }),
    // Failures reach the status through the reporting backend; here only work and timings.
    events: {
      onRequestStart: ({ id, model }) => {
        working.set(id, status.beginWork('completion'));
        residency.started(residencyKey(model)); // a cold model was warmed before sending (beforeSend)
      },
      onRequestEnd: (e) => {
        working.get(e.id)?.();
        working.delete(e.id);
        const answered = e.outcome === 'shown' || e.outcome === 'empty' || e.firstTokenMs !== undefined;
        if (residency.ended(residencyKey(e.model), answered, config.settings.keepAlive)) {
          completionLog.debug(`${e.model}: no first token for a while, so it is being loaded; loading it with a request typing does not cancel`);
          warmIfOn();
        }
        const s = e.stats;
        const ms = (ns?: number) => (ns === undefined ? '-' : (ns / 1e6).toFixed(0));
        completionLog.debug(
          `${e.model} ${e.outcome} in ${e.latencyMs.toFixed(0)} ms (first token ${e.firstTokenMs?.toFixed(0) ?? '-'} ms; ~${e.promptTokensEstimate} prompt tokens; ollama load ${ms(s?.loadDurationNs)} / prompt ${ms(s?.promptEvalDurationNs)} / eval ${ms(s?.evalDurationNs)} ms)`,
        );
        deps.onRequestEnd?.(e);
      },
    },
  });
  disposables.push(engine);

  const refreshStatus = () =>
    status.update({
      host: host().url,
      completionModel: models.completionModel(),
      chatModel: models.chatModel(),
      completionsEnabled: config.settings.completion.enabled,
    });

  // Load the completion model before the first keystroke needs it, and again whenever it is
  // believed cold (keep_alive deadline passed, restart, model switch, slow first bytes); warn once
  // if it spills to the CPU.
  let warmed = '';
  /** Models this session has seen loaded: loading one again is a reload, and the status says so. */
  const everLoaded = new Set<string>();
  const warm = async (): Promise<void> => {
    const model = models.completionModel();
    const key = residencyKey(model);
    // Loading ahead is Ollama's (keep_alive); an OpenAI-compatible server keeps its model loaded.
    if (warmed === key || !residency.isCold(key) || !config.settings.completion.enabled || serverKind() !== 'ollama') return;
    warmed = key;
    try {
      // A missing model is the first-run check's question (with the download size), not ours.
      const installed = await models.refreshInstalled(AbortSignal.timeout(5_000));
      if (!installed?.some((m) => m.name === model || m.name === `${model}:latest`)) {
        warmed = '';
        return;
      }
      const result = await warmUp(model, {
        backend: connection.backend(),
        keepAlive: config.settings.keepAlive,
        numCtx: models.completionNumCtx(),
        setLoading: (m) => status.setLoading(m, everLoaded.has(key)),
      });
      residency.used(key, config.settings.keepAlive);
      everLoaded.add(key);
      const warning = result && partlyOnCpuWarning(model, result, probed()?.version);
      const seen = deps.memento.get<string[]>(CPU_WARNED) ?? [];
      if (warning && !seen.includes(model)) {
        void deps.memento.update(CPU_WARNED, [...seen, model]);
        ui.partlyOnCpu(warning);
      }
    } catch (error) {
      // The failure was reported by the backend; try again after recovery.
      log.debug(`Warm-up of ${model} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      warmed = '';
    }
  };
  function warmIfOn(): void {
    if (!(deps.warmOnRecovery ?? true)) return;
    // A second call during a warm-up returns at once: whenWarm() still waits for the first.
    const previous = warming;
    warming = Promise.all([previous, warm()]).then(() => undefined);
  }

  let checkedHost = `${host().url}\n${config.settings.server.kind}\n${config.settings.server.caFile}`;
  // A new server with no key bound to it, while keys exist for others: say so once per origin.
  disposables.push(
    models.onDidChange(() => {
      refreshStatus();
      engine.clearCache();
      warmIfOn();
    }),
    config.onDidChange(() => {
      refreshStatus();
      const server = `${host().url}\n${config.settings.server.kind}\n${config.settings.server.caFile}`;
      if (server !== checkedHost) {
        checkedHost = server;
        status.update({ server: undefined });
        keyring.askIfMissing(host().url);
        // Probe first: the health check must ask the server in its own API.
        void runProbe().then(() => connection.health.check());
      }
      warmIfOn();
    }),
  );

  const snoozedUntil = () => status.facts.snoozedUntil ?? 0;

  const checkServer = async (): Promise<boolean> => {
    await runProbe(true);
    return connection.health.check();
  };
  return {
    services,
    status,
    connection,
    lanes,
    models,
    engine,
    host,
    apiKey,
    serverKind,
    probed,
    probe: runProbe,
    onDidProbe(listener) {
      probeListeners.add(listener);
      return { dispose: () => probeListeners.delete(listener) };
    },
    completionsActive: () => config.settings.completion.enabled && snoozedUntil() <= Date.now(),
    snoozedUntil,
    async toggleSnooze() {
      const until = snoozedUntil() > Date.now() ? 0 : Date.now() + SNOOZE_MS;
      status.update({ snoozedUntil: until });
      await deps.memento.update(SNOOZED_UNTIL, until);
      return until;
    },
    async reloadApiKey({ check = true } = {}) {
      await keyring.reload(host().url);
      const key = apiKey();
      if (key && keyTravelsInClear(host().url) && !deps.memento.get(WARNED_CLEAR_KEY)) {
        void deps.memento.update(WARNED_CLEAR_KEY, true);
        ui.keyInClear(`Qwen Local sends your API key to ${host().url} over plain http: anyone on that network can read it. Use https:// or a loopback address.`);
      }
      if (check) await checkServer();
    },
    checkServer,
    whenWarm: () => warming,
    dispose() {
      for (const d of disposables.splice(0).reverse()) d.dispose();
    },
  };
}
