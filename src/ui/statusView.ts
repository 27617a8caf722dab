// What the status bar item says in each state. Pure, so the wording is tested without VS Code.

export type ConnectionState = 'connecting' | 'ready' | 'offline' | 'busy' | 'error';

export interface StatusFacts {
  connection: ConnectionState;
  host: string;
  completionModel: string;
  chatModel: string;
  completionsEnabled: boolean;
  /** Epoch ms until which completions are snoozed, if snoozed. */
  snoozedUntil?: number;
  /** Labels of work in progress ("Completion", "Chat"). */
  working: string[];
  loadingModel?: string;
  /** The model was loaded before and the server dropped it (keep_alive, another model, a restart). */
  reloading?: boolean;
  lastError?: string;
  /** What the server probe found ("Found vLLM at team-gpu:8000, serving …"). */
  server?: string;
  /** The server in use by name ("vLLM at https://gpu:8000"), once probed; Ollama's wording until then. */
  serverName?: string;
  serverKind?: 'ollama' | 'openai';
  /** Restricted Mode keeps completions off (workspace/trust.ts). */
  restricted?: boolean;
  /** What the workspace's trust or kind limits, for the tooltip (workspace/trust.ts). */
  limits?: string;
  now: number;
}

export interface StatusView {
  text: string;
  tooltip: string;
  /** 'warning' or 'error' background, or none. */
  severity?: 'warning' | 'error';
}

function minutesLeft(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 60_000));
}

export function statusView(f: StatusFacts): StatusView {
  const models = `Completion: ${f.completionModel}\nChat: ${f.chatModel}\nServer: ${f.server ?? f.host}${f.limits ? `\n\n${f.limits}` : ''}`;
  const click = '\n\nClick for the Qwen Local menu.';
  const openai = f.serverKind === 'openai';
  if (f.connection === 'offline') {
    const what = openai
      ? `${f.serverName ?? `The server at ${f.host}`} is not reachable. Check that it runs (\`vllm serve …\`, \`llama-server …\`), or run Connection Doctor`
      : `Ollama is not reachable at ${f.host}. Start it with \`ollama serve\``;
    return {
      text: '$(debug-disconnect) Qwen: offline',
      tooltip: `${what}; Qwen Local reconnects on its own.${click}`,
      severity: 'warning',
    };
  }
  if (f.connection === 'connecting') {
    return { text: '$(loading~spin) Qwen', tooltip: `Connecting to ${openai ? (f.serverName ?? `the server at ${f.host}`) : `Ollama at ${f.host}`}…${click}` };
  }
  if (f.loadingModel) {
    if (f.reloading) {
      const why = 'Ollama had unloaded it (keep_alive ran out, another model needed the memory, or the server restarted).';
      return { text: '$(loading~spin) Qwen: reloading model', tooltip: `Ollama is loading ${f.loadingModel} into memory again. ${why}\n${models}${click}` };
    }
    return { text: '$(loading~spin) Qwen: loading model', tooltip: `Ollama is loading ${f.loadingModel} into memory.\n${models}${click}` };
  }
  if (f.working.length > 0) {
    return { text: '$(loading~spin) Qwen', tooltip: `Working: ${f.working.join(', ')}\n${models}${click}` };
  }
  if (f.connection === 'busy') {
    // Up but full (429/503): not offline, and nothing to fix on this machine.
    return { text: '$(watch) Qwen: server busy', tooltip: `${f.lastError ?? 'The server is busy.'}\n${models}${click}`, severity: 'warning' };
  }
  if (f.connection === 'error') {
    return { text: '$(warning) Qwen', tooltip: `${f.lastError ?? 'The last request failed.'}\n${models}${click}`, severity: 'error' };
  }
  if (f.restricted) {
    return { text: '$(shield) Qwen: restricted', tooltip: `Completions wait until you trust this workspace (chat and commands work).\n${models}${click}` };
  }
  if (f.snoozedUntil !== undefined && f.snoozedUntil > f.now) {
    return {
      text: '$(clock) Qwen: snoozed',
      tooltip: `Completions snoozed for ${minutesLeft(f.snoozedUntil, f.now)} more min.\n${models}${click}`,
    };
  }
  if (!f.completionsEnabled) {
    return { text: '$(circle-slash) Qwen', tooltip: `Completions are off (chat and commands still work).\n${models}${click}` };
  }
  return { text: '$(sparkle) Qwen', tooltip: `Ready.\n${models}${click}` };
}
