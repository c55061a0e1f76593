import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The wire shape of every contract in `libs/contracts`, read from the sources with the
 * TypeScript compiler (replies are interfaces: nothing of them exists at run time).
 *
 * A shape maps each field path to a normalised type string: `device.type`, `devices[].deviceId`,
 * `location.city`; aliases and interface names are expanded away, union members sorted, an
 * optional field reads `optional <type>`. So renaming a nested field, narrowing a union or making
 * a field optional all change the shape, while adding a field only adds a path.
 */
export type Shape = Record<string, string>;

export interface ContractShapes {
  /** Registry name → key → string on the wire (subjects, header names). */
  registries: Record<string, Record<string, string>>;
  /** RPC subject → request and reply shapes. */
  rpc: Record<string, { request: Shape; reply: Shape }>;
  /** JetStream event subject → payload shape. */
  events: Record<string, Shape>;
  /** Core NATS notice subject → payload shape. */
  notices: Record<string, Shape>;
}

/** The registries whose strings travel on the wire, as exported by `@signoff/contracts`. */
const REGISTRIES = ['RpcSubject', 'EventSubject', 'NoticeSubject', 'EventHeader'];

/** Notices have no subject → class map in the contracts; their payload classes, by `NoticeSubject` key. */
const NOTICE_PAYLOADS: Record<string, string> = { deviceActivity: 'DeviceActivityV1' };

const ROOT = path.resolve(__dirname, '../../../..');
const ENTRY = path.join(ROOT, 'libs/contracts/src/index.ts');

/** Reads every contract exported by `libs/contracts/src/index.ts` as it is on disk now (one Program, under a second or two). */
export function describeContracts(): ContractShapes {
  const program = ts.createProgram([ENTRY], compilerOptions());
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(ENTRY);
  const moduleSymbol = entry && checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) throw new Error(`cannot load ${ENTRY}`);
  const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((symbol) => [symbol.name, resolve(checker, symbol)]));
  const exportedSymbol = (name: string): ts.Symbol => {
    const symbol = exported.get(name);
    if (!symbol) throw new Error(`@signoff/contracts exports no ${name}`);
    return symbol;
  };
  const describer = new ShapeDescriber(checker);
  const properties = (type: ts.Type) => checker.getPropertiesOfType(type).map((p) => [p.name, checker.getTypeOfSymbol(p)] as const);

  const registries: ContractShapes['registries'] = {};
  for (const name of REGISTRIES) {
    registries[name] = Object.fromEntries(properties(checker.getTypeOfSymbol(exportedSymbol(name))).map(([key, type]) => [key, literal(type, name)]));
  }

  const rpc: ContractShapes['rpc'] = {};
  for (const [subject, pair] of properties(checker.getDeclaredTypeOfSymbol(exportedSymbol('RpcMap')))) {
    const [request, reply] = checker.getTypeArguments(pair as ts.TypeReference);
    if (!request || !reply) throw new Error(`RpcMap['${subject}'] is not a [request, reply] pair`);
    rpc[subject] = { request: describer.shape(request), reply: describer.shape(reply) };
  }

  const events: ContractShapes['events'] = {};
  for (const [subject, payloadClass] of properties(checker.getTypeOfSymbol(exportedSymbol('EVENT_CLASSES')))) {
    events[subject] = describer.shape(instanceOf(payloadClass, subject));
  }

  const notices: ContractShapes['notices'] = {};
  for (const [key, subject] of Object.entries(registries['NoticeSubject'] ?? {})) {
    const payloadClass = NOTICE_PAYLOADS[key];
    if (!payloadClass) throw new Error(`NoticeSubject.${key} has no payload class: add it to NOTICE_PAYLOADS in ${__filename}`);
    notices[subject] = describer.shape(checker.getDeclaredTypeOfSymbol(exportedSymbol(payloadClass)));
  }
  return { registries, rpc, events, notices };
}

/** How the code stands against the record of what has shipped. */
export interface ContractDrift {
  /** Recorded subjects, contracts or fields the code lost or changed: never allowed. */
  breaks: string[];
  /** What the code has and the record does not (yet). */
  additions: string[];
  /** The record with the additions put in; recorded entries are never changed or removed. */
  merged: ContractShapes;
}

type Tree = { [key: string]: string | Tree };

export function compareWithRecord(record: ContractShapes, current: ContractShapes): ContractDrift {
  const breaks: string[] = [];
  const additions: string[] = [];
  const walk = (recorded: Tree, now: Tree, at: string[]): Tree => {
    const merged: Tree = { ...recorded };
    const gone = Object.keys(recorded).filter((key) => now[key] === undefined);
    for (const [key, was] of Object.entries(recorded)) {
      const where = [...at, key].join(' › ');
      const is = now[key];
      if (is === undefined) {
        // A nested object that is gone takes its fields with it: say it once.
        if (!gone.some((parent) => key.startsWith(`${parent}.`) || key.startsWith(`${parent}[`))) breaks.push(`${where}: gone${typeof was === 'string' ? ` (was ${was})` : ''}`);
      } else if (typeof was === 'string' || typeof is === 'string') {
        if (was !== is) breaks.push(`${where}: was ${typeof was === 'string' ? was : 'a contract'}, now ${typeof is === 'string' ? is : 'a contract'}`);
      } else {
        merged[key] = walk(was, is, [...at, key]);
      }
    }
    for (const [key, is] of Object.entries(now)) {
      if (key in recorded) continue;
      additions.push([...at, key].join(' › '));
      merged[key] = is;
    }
    return merged;
  };
  const merged = walk(record as unknown as Tree, current as unknown as Tree, []) as unknown as ContractShapes;
  return { breaks, additions, merged };
}

/** The record as written to disk: keys sorted at every level, so a re-record changes only what it adds. */
export function formatRecord(record: ContractShapes): string {
  const sorted = (tree: Tree | string): Tree | string =>
    typeof tree === 'string' ? tree : Object.fromEntries(Object.keys(tree).sort().map((key) => [key, sorted(tree[key]!)]));
  return `${JSON.stringify(sorted(record as unknown as Tree), null, 2)}\n`;
}

function compilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, 'tsconfig.base.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file);
  // Only the contracts' own types are read: no ambient test or node typings needed, and none checked.
  return { ...options, noEmit: true, types: [] };
}

function resolve(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function literal(type: ts.Type, registry: string): string {
  if (!type.isStringLiteral()) throw new Error(`${registry} must map keys to string literals (declare it \`as const\`)`);
  return type.value;
}

function instanceOf(constructor: ts.Type, subject: string): ts.Type {
  const [signature] = constructor.getConstructSignatures();
  if (!signature) throw new Error(`EVENT_CLASSES['${subject}'] is not a class`);
  return signature.getReturnType();
}

class ShapeDescriber {
  constructor(private readonly checker: ts.TypeChecker) {}

  /** Field path → type string, sorted by path; `$` is the payload itself (`object` for any payload with fields). */
  shape(type: ts.Type): Shape {
    const shape: Shape = {};
    if (this.isRecord(type)) {
      shape['$'] = 'object';
      this.fields(type, '', shape, []);
    } else shape['$'] = this.type(type, '$', shape, []);
    return Object.fromEntries(Object.entries(shape).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private fields(type: ts.Type, prefix: string, shape: Shape, seen: ts.Type[]): void {
    for (const property of this.checker.getPropertiesOfType(type)) {
      if (!(property.flags & ts.SymbolFlags.Property) || this.isHidden(property)) continue;
      const { optional, members } = this.typeOfProperty(property);
      const fieldPath = prefix + property.name;
      const described = this.union(members, fieldPath, shape, seen);
      shape[fieldPath] = optional ? `optional ${described}` : described;
    }
    // `Record<string, never>`: an empty object, not a map.
    for (const index of this.checker.getIndexInfosOfType(type)) {
      if (index.type.flags & ts.TypeFlags.Never) continue;
      const keyPath = `${prefix.replace(/\.$/, '')}[${this.checker.typeToString(index.keyType)}]`;
      shape[keyPath] = this.type(index.type, keyPath, shape, seen);
    }
  }

  /**
   * The type as a string; an object type is written `object` and its fields are added to `shape`
   * under `path.` (arrays: `path[].`). A union of several object types is written out inline.
   */
  private type(type: ts.Type, fieldPath: string, shape: Shape, seen: ts.Type[]): string {
    if (type.flags & ts.TypeFlags.Any || type.flags & ts.TypeFlags.Unknown) {
      if ((type as { intrinsicName?: string }).intrinsicName === 'error') throw new Error(`${fieldPath}: the type does not resolve`);
      return this.checker.typeToString(type);
    }
    if (type.isUnion()) return this.union(type.types, fieldPath, shape, seen);
    if (this.checker.isArrayType(type)) {
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      const described = this.type(element!, `${fieldPath}[]`, shape, seen);
      return described.includes(' ') ? `(${described})[]` : `${described}[]`;
    }
    if (this.checker.isTupleType(type)) {
      const elements = this.checker.getTypeArguments(type as ts.TypeReference);
      return `[${elements.map((element, i) => this.type(element, `${fieldPath}[${i}]`, shape, seen)).join(', ')}]`;
    }
    if (this.isRecord(type)) {
      if (seen.includes(type)) return `recursive ${this.checker.typeToString(type)}`;
      this.fields(type, `${fieldPath}.`, shape, [...seen, type]);
      return 'object';
    }
    if (type.isStringLiteral()) return `'${type.value}'`;
    return this.checker.typeToString(type);
  }

  /**
   * At most one member may be an object or an array (its fields go under `path`); with several,
   * each is written inline, whole (so a field added to one of them reads as a change).
   */
  private union(members: readonly ts.Type[], fieldPath: string, shape: Shape, seen: ts.Type[]): string {
    const structured = members.filter((member) => this.isRecord(member) || this.checker.isArrayType(member) || this.checker.isTupleType(member));
    return joinUnion(members.map((member) => (structured.length > 1 ? this.inline(member, seen) : this.type(member, fieldPath, shape, seen))));
  }

  /** One type with its fields written inside it, sorted: `{ a: string; b?: { c: number }[] }`. */
  private inline(type: ts.Type, seen: ts.Type[]): string {
    if (type.isUnion()) return joinUnion(type.types.map((member) => this.inline(member, seen)));
    if (this.checker.isArrayType(type)) {
      const described = this.inline(this.checker.getTypeArguments(type as ts.TypeReference)[0]!, seen);
      return described.includes(' ') ? `(${described})[]` : `${described}[]`;
    }
    if (!this.isRecord(type)) return this.type(type, '$', {}, seen);
    if (seen.includes(type)) return `recursive ${this.checker.typeToString(type)}`;
    const fields = this.checker
      .getPropertiesOfType(type)
      .filter((property) => property.flags & ts.SymbolFlags.Property && !this.isHidden(property))
      .map((property) => {
        const { optional, members } = this.typeOfProperty(property);
        return `${property.name}${optional ? '?' : ''}: ${joinUnion(members.map((member) => this.inline(member, [...seen, type])))}`;
      });
    const indexes = this.checker
      .getIndexInfosOfType(type)
      .filter((index) => !(index.type.flags & ts.TypeFlags.Never))
      .map((index) => `[key: ${this.checker.typeToString(index.keyType)}]: ${this.inline(index.type, [...seen, type])}`);
    const all = [...fields, ...indexes].sort();
    return all.length ? `{ ${all.join('; ')} }` : '{}';
  }

  /** `a?: T` reads as `T | undefined`: the members without `undefined`, and the `optional` marker to say it once. */
  private typeOfProperty(property: ts.Symbol): { optional: boolean; members: readonly ts.Type[] } {
    const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
    const type = this.checker.getTypeOfSymbol(property);
    if (!type.isUnion()) return { optional, members: [type] };
    return { optional, members: optional ? type.types.filter((member) => !(member.flags & ts.TypeFlags.Undefined)) : type.types };
  }

  /** A plain data object, expanded field by field: not an array, nor a library class or interface like `Date`. */
  private isRecord(type: ts.Type): boolean {
    if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) return false;
    if (type.isIntersection()) return type.types.every((member) => this.isRecord(member));
    if (!(type.flags & ts.TypeFlags.Object)) return false;
    const symbol = type.getSymbol();
    if (!symbol || !(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) return true;
    return !symbol.declarations?.some((declaration) => /[\\/]node_modules[\\/]/.test(declaration.getSourceFile().fileName));
  }

  private isHidden(property: ts.Symbol): boolean {
    const modifiers = property.valueDeclaration ? ts.getCombinedModifierFlags(property.valueDeclaration) : ts.ModifierFlags.None;
    return (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || property.name.startsWith('#');
  }
}

/** Union members sorted and de-duplicated, `false | true` written `boolean`. */
function joinUnion(members: string[]): string {
  const unique = new Set(members);
  if (unique.has('false') && unique.has('true')) {
    unique.delete('false');
    unique.delete('true');
    unique.add('boolean');
  }
  return [...unique].sort().join(' | ');
}
