// Which API key may go to which model server. Pure: the extension keeps the serialized store in
// SecretStorage and asks this module, on every host change, what to send.
//
// A key is stored with the origin (scheme, host, port) it was set for and is only ever sent there.
// A changed address — a new setting, an OLLAMA_HOST from a dev container, a proxy's redirect target —
// never receives a key set for another server; the user is asked again, naming both addresses.

import { keyTravelsInClear } from './host';

/** What SecretStorage holds: one key per server origin. */
export interface KeyStore {
  readonly version: 1;
  readonly keys: Readonly<Record<string, string>>;
}

/** What the stored text held: the store, and an old unbound key (one global key, before origins). */
export interface ParsedKeys {
  store: KeyStore;
  /** A key saved by an earlier version without an origin: never sent until the user binds it. */
  legacyKey?: string;
}

export type KeyDecision =
  /** Send this key: it was set for exactly this origin. `clearText`: it would cross a network over http. */
  | { kind: 'send'; key: string; origin: string; clearText: boolean }
  /** No key anywhere: send none, ask nothing (a local Ollama needs none). */
  | { kind: 'none'; origin: string }
  /** Keys exist, but for other servers: send none; ask whether to set one for this origin. */
  | { kind: 'otherOrigin'; origin: string; boundTo: string[] }
  /** Only an old key without an origin: send none until the user says it belongs to this server. */
  | { kind: 'legacy'; origin: string };

export const EMPTY_STORE: KeyStore = { version: 1, keys: {} };

/**
 * The origin a key is bound to: scheme, lower-case host and port, no path, no user info. Throws for
 * what is not an http(s) URL (the host module has already normalized the address).
 */
export function originOf(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${u.protocol} is not a model server address`);
  // URL.origin drops a default port (http://h:80 → http://h) and never includes user info.
  return u.origin;
}

function isRecordOfStrings(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** Reads what SecretStorage holds; an unreadable or old value is never guessed to belong anywhere. */
export function parseKeyStore(raw: string | undefined): ParsedKeys {
  const text = raw?.trim();
  if (!text) return { store: EMPTY_STORE };
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && parsed.version === 1 && 'keys' in parsed && isRecordOfStrings(parsed.keys)) {
        const keys: Record<string, string> = {};
        for (const [origin, key] of Object.entries(parsed.keys)) {
          try {
            if (key.trim()) keys[originOf(origin)] = key.trim();
          } catch {
            // An entry that names no server is dropped, not sent anywhere.
          }
        }
        return { store: { version: 1, keys } };
      }
    } catch {
      // Not our JSON: fall through and treat it as an old, unbound key.
    }
  }
  return { store: EMPTY_STORE, legacyKey: text };
}

export function serializeKeyStore(store: KeyStore): string {
  return JSON.stringify({ version: 1, keys: store.keys });
}

/** The store with `key` set for `url`'s origin (or removed, when the key is empty or undefined). */
export function withKey(store: KeyStore, url: string, key: string | undefined): KeyStore {
  const origin = originOf(url);
  const keys = { ...store.keys };
  if (key?.trim()) keys[origin] = key.trim();
  else delete keys[origin];
  return { version: 1, keys };
}

/** What to send to `url`: only a key set for this very origin. */
export function keyFor(parsed: ParsedKeys, url: string): KeyDecision {
  const origin = originOf(url);
  const key = parsed.store.keys[origin];
  if (key) return { kind: 'send', key, origin, clearText: keyTravelsInClear(url) };
  const boundTo = Object.keys(parsed.store.keys);
  if (boundTo.length > 0) return { kind: 'otherOrigin', origin, boundTo };
  if (parsed.legacyKey) return { kind: 'legacy', origin };
  return { kind: 'none', origin };
}

/** The key header value to send, or undefined: what the connection's `apiKey()` returns. */
export function keyToSend(parsed: ParsedKeys, url: string): string | undefined {
  const decision = keyFor(parsed, url);
  return decision.kind === 'send' ? decision.key : undefined;
}

/** After the user confirmed that the old unbound key belongs to `url`: bind it there, and only there. */
export function bindLegacyKey(parsed: ParsedKeys, url: string): KeyStore {
  return parsed.legacyKey ? withKey(parsed.store, url, parsed.legacyKey) : parsed.store;
}

/**
 * The question to ask (plain text: notifications render no markdown) when the server changed and
 * no key is bound to it, or undefined when there is nothing to ask.
 */
export function keyQuestion(decision: KeyDecision): { message: string; actions: string[] } | undefined {
  switch (decision.kind) {
    case 'send':
    case 'none':
      return undefined;
    case 'otherOrigin':
      return {
        message: `Qwen Local now talks to ${decision.origin}. Your API key was set for ${decision.boundTo.join(', ')} and is not sent to another server. Set a key for ${decision.origin} if it needs one.`,
        actions: ['Set API Key', 'Not Needed'],
      };
    case 'legacy':
      return {
        message: `Qwen Local keeps API keys per server now. Your saved key is not sent until you confirm it belongs to ${decision.origin}.`,
        actions: [`Use It for ${decision.origin}`, 'Set Another Key', 'Forget It'],
      };
  }
}
