// What changes with the Ollama version the simulator plays. Versions come from the audit in issue
// 14 (server/sched.go, server/routes.go, envconfig/config.go at v0.6.5 and at the current release);
// the exact release that introduced each change is as that audit states it, not re-verified
// against release tags here.

/** Named profiles: an old server and a current one (the fault matrix runs against both). */
export const PROFILES = {
  old: '0.6.5',
  current: '0.13.0',
} as const;

export type ProfileName = keyof typeof PROFILES;

/** Default version when a test names none: the current profile, or QWEN_SIM_VERSION (to run any suite against another release). */
export const DEFAULT_VERSION: string = process.env.QWEN_SIM_VERSION ?? PROFILES.current;

/** "0.9.7" ≥ "0.9.10"? Numeric, part by part; a pre-release suffix ("-rc1") is ignored. */
export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string) => v.replace(/^v/, '').split('-')[0]!.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export interface VersionBehaviour {
  /**
   * OLLAMA_NUM_PARALLEL when unset. 0 = automatic: before v0.9.7, sched.go `pickBestFitGPUs`
   * tries `defaultParallel` (4) and falls back to 1 when 4 × num_ctx does not fit in VRAM (CPU
   * mode: 4). From v0.9.7 envconfig `NumParallel` defaults to 1.
   */
  defaultNumParallel: number;
  /** /api/ps lists `context_length` (api/types.go `ProcessModelResponse.ContextLength`) from v0.9.7. */
  psContextLength: boolean;
  /**
   * An error before anything was streamed is an HTTP status with a JSON body from v0.12.6
   * (routes.go `streamResponse`: `if !c.Writer.Written() { c.JSON(status, …) }`); before, the
   * stream had already answered 200 and the error came as an `{"error"}` line.
   */
  errorStatusBeforeFirstToken: boolean;
  /**
   * A streamed chat with `tools` streams its content from v0.8.0 (routes.go ChatHandler with
   * tools.Parser). Before, the handler buffered the content ("Streaming tool calls" in ChatHandler,
   * checked at v0.6.5 and v0.7.1): it sent a chunk only for a recognised tool call (dropping the
   * text before it) and the rest of the content with the final chunk.
   */
  streamsContentWithTools: boolean;
}

export function behaviourOf(version: string): VersionBehaviour {
  return {
    defaultNumParallel: versionAtLeast(version, '0.9.7') ? 1 : 0,
    psContextLength: versionAtLeast(version, '0.9.7'),
    errorStatusBeforeFirstToken: versionAtLeast(version, '0.12.6'),
    streamsContentWithTools: versionAtLeast(version, '0.8.0'),
  };
}
