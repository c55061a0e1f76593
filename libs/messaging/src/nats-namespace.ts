import { StreamDefinition } from '@signoff/contracts';

const VALID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/**
 * Puts every subject and stream of one deployment (or one test run) under a prefix, so runs
 * sharing a broker never hear each other. The empty namespace is production: bare subjects.
 */
export class NatsNamespace {
  constructor(readonly prefix = '') {
    if (prefix !== '' && !VALID.test(prefix)) {
      throw new Error(`NATS namespace "${prefix}" must match ${VALID}`);
    }
  }

  subject(bare: string): string {
    return this.prefix ? `${this.prefix}.${bare}` : bare;
  }

  /** The bare subject of a namespaced one (what the contract registry knows). */
  bare(subject: string): string {
    return this.prefix && subject.startsWith(`${this.prefix}.`) ? subject.slice(this.prefix.length + 1) : subject;
  }

  isNamespaced(subject: string): boolean {
    return this.prefix === '' || subject.startsWith(`${this.prefix}.`);
  }

  streamName(definition: StreamDefinition): string {
    return this.prefix ? `${this.prefix.toUpperCase().replace(/-/g, '_')}_${definition.name}` : definition.name;
  }

  streamSubjects(definition: StreamDefinition): string[] {
    return definition.subjects.map((s) => this.subject(s));
  }
}
