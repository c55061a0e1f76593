/**
 * A stand-in that implements only what a test hands it and throws on anything else, so a
 * unit spec fails on any call it did not expect (including reads of unknown members).
 */
export function strictMock<T extends object>(name: string, members: Partial<T>): T {
  return new Proxy(members, {
    get(target, property, receiver) {
      if (property === 'then' || typeof property === 'symbol') return Reflect.get(target, property, receiver);
      if (!(property in target)) throw new Error(`unexpected use of ${name}.${String(property)}`);
      return Reflect.get(target, property, receiver);
    },
  }) as T;
}
