// The API keys as the core holds them: read from secret storage, the single key of earlier versions
// bound to the origin in use when it is first read, one question per server without a key. The
// rules themselves are keys.ts; this keeps their state. Pure: storage and messages are injected.

import { bindLegacyKey, keyFor, keyQuestion, keyToSend, parseKeyStore, serializeKeyStore, type ParsedKeys } from './keys';

export interface KeyringDeps {
  /** The stored secret (JSON of the key store, or a plain key from earlier versions). */
  read(): PromiseLike<string | undefined>;
  write?(value: string): PromiseLike<void>;
  /** Used until the store was read (tests give a plain key). */
  fallbackKey?: string;
  log: { info(message: string): void; warn(message: string): void };
  /** A server without a key that may want one: offered once per origin. */
  ask(message: string): void;
}

export class Keyring {
  private keys: ParsedKeys | undefined;
  private readonly asked = new Set<string>();

  constructor(private readonly deps: KeyringDeps) {}

  /** The key to send to `url`: only ever the one set for its origin. */
  keyFor(url: string): string | undefined {
    return this.keys ? keyToSend(this.keys, url) : this.deps.fallbackKey;
  }

  /** Reads the store again; an unbound key of earlier versions is bound to `url`'s origin, never to a later one. */
  async reload(url: string): Promise<void> {
    let parsed = parseKeyStore(await this.deps.read());
    if (parsed.legacyKey && Object.keys(parsed.store.keys).length === 0) {
      try {
        parsed = { store: bindLegacyKey(parsed, url) };
        this.deps.log.info(`The saved API key is now bound to ${new URL(url).origin}; other servers never receive it.`);
        await this.deps.write?.(serializeKeyStore(parsed.store));
      } catch (error) {
        this.deps.log.warn(`Could not bind the saved API key to ${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.keys = parsed;
    this.askIfMissing(url);
  }

  /** After a change of server: asks once per origin whether it needs a key. */
  askIfMissing(url: string): void {
    if (!this.keys) return;
    let decision;
    try {
      decision = keyFor(this.keys, url);
    } catch {
      return;
    }
    const question = keyQuestion(decision);
    if (!question || this.asked.has(decision.origin)) return;
    this.asked.add(decision.origin);
    this.deps.log.info(question.message);
    this.deps.ask(question.message);
  }
}
