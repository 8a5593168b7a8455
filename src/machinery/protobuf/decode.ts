// Decoding Kubernetes protobuf into the JSON form Go's encoding/json would print for the same
// object: the "k8s\0" envelope (runtime.Unknown carrying apiVersion/kind and the message bytes),
// messages by the field table, hand-marshalled types (Quantity, Time, IntOrString, RawExtension...)
// to their JSON shapes, maps from entry messages, embedded structs inlined, and zero scalars
// dropped as omitempty would, except where a zero is meaningful (zero-values.ts).

import { ProtobufReader, toInt32, toInt64, utf8, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './reader.ts';
import { messageForKind, messageOf, type CompiledField, type CompiledMessage, type ScalarType } from './schema.ts';
import { formatDuration, formatMicroTime, formatTime, ProtobufError } from './well-known.ts';

export type JsonObject = Record<string, unknown>;

/** The four bytes every Kubernetes protobuf body starts with: "k8s\0". */
export const KUBE_PROTOBUF_PREFIX: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface DecodedKubeObject {
  apiVersion: string;
  kind: string;
  /** The JSON form, with apiVersion and kind set. */
  object: JsonObject;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const MAX_DEPTH = 100;

export function hasKubeProtobufPrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x6b && bytes[1] === 0x38 && bytes[2] === 0x73 && bytes[3] === 0x00;
}

/** The envelope's parts: runtime.Unknown {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4}. */
export function decodeEnvelope(bytes: Uint8Array): { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string } {
  if (!hasKubeProtobufPrefix(bytes)) throw new ProtobufError('the body does not start with the Kubernetes protobuf prefix "k8s\\0"');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  const r = new ProtobufReader(bytes.subarray(4));
  while (!r.done) {
    const key = r.key();
    const n = key >>> 3;
    const wt = key & 7;
    if (wt !== WIRE_LENGTH_DELIMITED) {
      r.skip(wt);
      continue;
    }
    const value = r.bytes();
    if (n === 1) {
      const tm = new ProtobufReader(value);
      while (!tm.done) {
        const key = tm.key();
        const tn = key >>> 3;
        const twt = key & 7;
        if (twt !== WIRE_LENGTH_DELIMITED) tm.skip(twt);
        else if (tn === 1) apiVersion = utf8(tm.bytes());
        else if (tn === 2) kind = utf8(tm.bytes());
        else tm.skip(twt);
      }
    } else if (n === 2) raw = value;
    else if (n === 3) contentEncoding = utf8(value);
  }
  return { apiVersion, kind, raw, contentEncoding };
}

/**
 * Decodes a complete Kubernetes protobuf body ("k8s\0" + runtime.Unknown). Throws a ProtobufError
 * when the bytes are malformed or the apiVersion/kind has no message in the table.
 */
export function decodeKubeProtobuf(bytes: Uint8Array): DecodedKubeObject {
  return decodeKubeObject(bytes, 0);
}

function decodeKubeObject(bytes: Uint8Array, depth: number): DecodedKubeObject {
  const { apiVersion, kind, raw, contentEncoding } = decodeEnvelope(bytes);
  if (contentEncoding !== '') throw new ProtobufError(`unsupported protobuf content encoding ${JSON.stringify(contentEncoding)}`);
  if (!kind) throw new ProtobufError('the protobuf envelope names no kind');
  const message = messageForKind(apiVersion, kind);
  if (!message) throw new ProtobufError(`no protobuf message is known for ${apiVersion ? `${apiVersion}, ` : ''}Kind=${kind}`);
  const object: JsonObject = { kind, apiVersion };
  decodeInto(messageOf(message)!, raw, object, depth);
  return { apiVersion, kind, object };
}

/** Decodes one message (no envelope) into its JSON form. */
export function decodeMessage(messageName: string, bytes: Uint8Array): JsonObject {
  const message = messageOf(messageName);
  if (!message) throw new ProtobufError(`unknown protobuf message ${messageName}`);
  const out: JsonObject = {};
  decodeInto(message, bytes, out, 0);
  return out;
}

function decodeInto(message: CompiledMessage, bytes: Uint8Array, out: JsonObject, depth: number): void {
  if (depth > MAX_DEPTH) throw new ProtobufError(`protobuf message nested more than ${MAX_DEPTH} levels`);
  const r = new ProtobufReader(bytes);
  while (!r.done) {
    const key = r.key();
    const n = key >>> 3;
    const wt = key & 7;
    const field = message.byNumber.get(n);
    if (!field) {
      r.skip(wt);
      continue;
    }
    if (field.map) {
      expectWire(field, wt, WIRE_LENGTH_DELIMITED);
      const target = (out[field.json] ??= {}) as JsonObject;
      decodeMapEntry(field, r.bytes(), target, depth);
    } else if (field.repeated) {
      const list = (out[field.json] ??= []) as unknown[];
      if (field.scalar && field.scalar !== 'string' && field.scalar !== 'bytes' && wt === WIRE_LENGTH_DELIMITED) {
        // Packed repeated scalars: proto2 writers here never pack, but readers must accept it.
        const packed = new ProtobufReader(r.bytes());
        while (!packed.done) list.push(scalarOf(field.scalar, packed.varint()));
      } else list.push(readValue(field, field.type, r, wt, depth));
    } else if (field.inline) {
      expectWire(field, wt, WIRE_LENGTH_DELIMITED);
      decodeInto(messageOf(field.type)!, r.bytes(), out, depth + 1);
    } else {
      const value = readValue(field, field.type, r, wt, depth);
      if (!field.keepZero && (value === 0 || value === '' || value === false)) delete out[field.json];
      else out[field.json] = value;
    }
  }
}

function decodeMapEntry(field: CompiledField, bytes: Uint8Array, target: JsonObject, depth: number): void {
  const [keyType, valueType] = field.map!;
  const r = new ProtobufReader(bytes);
  let mapKey: unknown = keyType === 'string' ? '' : 0;
  let value: unknown;
  while (!r.done) {
    const key = r.key();
    const n = key >>> 3;
    const wt = key & 7;
    if (n === 1) mapKey = readValue(field, keyType, r, wt, depth);
    else if (n === 2) value = readValue(field, valueType, r, wt, depth);
    else r.skip(wt);
  }
  // An absent value is the zero value of its type (Go map values are never nil on the wire).
  const v = value === undefined ? zeroOf(valueType) : value;
  // An own property even for "__proto__", as JSON.parse makes it (assignment would set the prototype).
  if (mapKey === '__proto__') Object.defineProperty(target, mapKey, { value: v, enumerable: true, writable: true, configurable: true });
  else target[String(mapKey)] = v;
}

function zeroOf(type: string): unknown {
  switch (type) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      return 0;
    default:
      return decodeSpecialOrMessage(type, new Uint8Array(0), 0);
  }
}

/** One value of a scalar or message type; null where Go's JSON writes null (zero Time, empty RawExtension). */
function readValue(field: CompiledField, type: string, r: ProtobufReader, wt: number, depth: number): unknown {
  const scalar = field.map ? (type in SCALAR_SET ? (type as ScalarType) : undefined) : field.scalar;
  if (scalar === 'string' || scalar === 'bytes') {
    expectWire(field, wt, WIRE_LENGTH_DELIMITED);
    const b = r.bytes();
    return scalar === 'string' ? utf8(b) : Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
  }
  if (scalar) {
    expectWire(field, wt, WIRE_VARINT);
    return scalarOf(scalar, r.varint());
  }
  expectWire(field, wt, WIRE_LENGTH_DELIMITED);
  return decodeSpecialOrMessage(type, r.bytes(), depth + 1);
}

const SCALAR_SET: Readonly<Record<string, true>> = { string: true, bytes: true, bool: true, int32: true, int64: true, uint32: true, uint64: true };

function scalarOf(type: ScalarType, v: number | bigint): unknown {
  switch (type) {
    case 'bool':
      return v !== 0 && v !== 0n;
    case 'int32':
      return toInt32(v);
    case 'uint32':
      return Number(BigInt.asUintN(32, BigInt(v)));
    case 'uint64':
      return Number(v);
    default:
      return toInt64(v);
  }
}

function expectWire(field: CompiledField, got: number, want: number): void {
  if (got !== want) throw new ProtobufError(`field ${field.proto} (${field.n}) has wire type ${got}, expected ${want}`);
}

/** Reads the fields of a small fixed-layout message into a number-indexed record. */
function fieldsOf(bytes: Uint8Array): Map<number, number | bigint | Uint8Array> {
  const out = new Map<number, number | bigint | Uint8Array>();
  const r = new ProtobufReader(bytes);
  while (!r.done) {
    const key = r.key();
    const n = key >>> 3;
    const wt = key & 7;
    if (wt === WIRE_VARINT) out.set(n, r.varint());
    else if (wt === WIRE_LENGTH_DELIMITED) out.set(n, r.bytes());
    else r.skip(wt);
  }
  return out;
}

function str(v: number | bigint | Uint8Array | undefined): string {
  return v instanceof Uint8Array ? utf8(v) : '';
}

function int(v: number | bigint | Uint8Array | undefined): number | bigint {
  return v === undefined || v instanceof Uint8Array ? 0 : v;
}

type SpecialDecoder = (bytes: Uint8Array, depth: number) => unknown;

function quantity(bytes: Uint8Array): unknown {
  return str(fieldsOf(bytes).get(1)) || '0';
}

/** Types whose Go marshalling is hand-written, to their JSON shapes. */
const SPECIAL: ReadonlyMap<string, SpecialDecoder> = new Map<string, SpecialDecoder>([
  ['k8s.io.apimachinery.pkg.api.resource.Quantity', quantity],
  ['k8s.io.apimachinery.pkg.api.resource.QuantityValue', quantity],
  ['k8s.io.apimachinery.pkg.util.intstr.IntOrString', (bytes) => {
    const f = fieldsOf(bytes);
    return toInt64(int(f.get(1))) === 1 ? str(f.get(3)) : toInt32(int(f.get(2)));
  }],
  // The zero time is an empty message; Go's JSON writes null (a non-pointer Time, as in template metadata).
  [`${META}Time`, (bytes) => (bytes.length === 0 ? null : formatTime(toInt64(int(fieldsOf(bytes).get(1)))))],
  [`${META}MicroTime`, (bytes) => {
    if (bytes.length === 0) return null;
    const f = fieldsOf(bytes);
    return formatMicroTime(toInt64(int(f.get(1))), toInt32(int(f.get(2))));
  }],
  [`${META}Duration`, (bytes) => formatDuration(BigInt.asIntN(64, BigInt(int(fieldsOf(bytes).get(1)))))],
  [`${META}FieldsV1`, (bytes) => parseJsonBytes(fieldsOf(bytes).get(1))],
  ['k8s.io.apimachinery.pkg.runtime.RawExtension', (bytes, depth) => {
    const raw = fieldsOf(bytes).get(1);
    if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
    if (hasKubeProtobufPrefix(raw)) return decodeKubeObject(raw, depth + 1).object;
    return parseJsonBytes(raw);
  }],
]);

function decodeSpecialOrMessage(type: string, bytes: Uint8Array, depth: number): unknown {
  const special = SPECIAL.get(type);
  if (special) return special(bytes, depth);
  const message = messageOf(type);
  if (!message) throw new ProtobufError(`unknown protobuf message ${type}`);
  if (message.listWrapper) {
    // Go slices wrapped as {items = 1} on the wire are bare arrays in JSON.
    const items: string[] = [];
    const r = new ProtobufReader(bytes);
    while (!r.done) {
      const key = r.key();
      if (key === (1 << 3) + WIRE_LENGTH_DELIMITED) items.push(r.string());
      else r.skip(key & 7);
    }
    return items;
  }
  const out: JsonObject = {};
  decodeInto(message, bytes, out, depth);
  return out;
}

function parseJsonBytes(raw: number | bigint | Uint8Array | undefined): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
  try {
    return JSON.parse(utf8(raw));
  } catch (err) {
    throw new ProtobufError(`embedded JSON does not parse: ${(err as Error).message}`);
  }
}
