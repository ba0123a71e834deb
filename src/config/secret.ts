import { inspect } from 'node:util';

/**
 * A configured secret (Kore.ai client secret, caller-token key, router secret). The value is only
 * reachable through `reveal()`: printing, logging or serialising the object shows `[redacted]`,
 * so a config object that ends up in a log line or an error cannot carry a secret with it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
