// Encoding a JSON-form Kubernetes object as protobuf, the way Go clients read it: the "k8s\0"
// envelope around runtime.Unknown, fields in number order, maps as sorted entry messages,
// repeated scalars unpacked (proto2), embedded structs gathered from the parent object, and the
// hand-marshalled types (Quantity, Time, MicroTime, Duration, IntOrString, FieldsV1,
// RawExtension) in their fixed layouts. Absent and null properties are not written; present ones
// are, zero or not, so pointers set to zero survive. Also the frames of a protobuf watch stream.

import { WireWriter } from './writer.ts';
import { KUBE_PROTOBUF_PREFIX, type JsonObject } from './decode.ts';
import { messageForKind, messageOf, shortName, type CompiledField, type CompiledMessage } from './schema.ts';
import { parseDuration, parseTimestamp, ProtobufError } from './well-known.ts';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const TIME = `${META}Time`;
const MICRO_TIME = `${META}MicroTime`;
const DURATION = `${META}Duration`;
const FIELDS_V1 = `${META}FieldsV1`;
const MAX_DEPTH = 100;

/** True when the object's apiVersion/kind has a protobuf message (built-in kinds, lists, meta types). */
export function canEncodeKubeProtobuf(obj: unknown): boolean {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return false;
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  return typeof apiVersion === 'string' && typeof kind === 'string' && messageForKind(apiVersion, kind) !== undefined;
}

/**
 * Encodes an object carrying apiVersion and kind as a complete Kubernetes protobuf body.
 * Throws a ProtobufError when the kind has no message (custom resources) or a value has the wrong type.
 */
export function encodeKubeProtobuf(obj: JsonObject): Uint8Array {
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  const message = messageForKind(apiVersion, kind);
  if (!message) throw new ProtobufError(`no protobuf message is known for ${apiVersion}, Kind=${kind}`);
  return envelope(apiVersion, kind, encodeMessage(message, obj));
}

/** Wraps message bytes in the envelope: "k8s\0" + runtime.Unknown {typeMeta, raw, contentEncoding, contentType}. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = new WireWriter();
  w.message(1, () => {
    w.string(1, apiVersion);
    w.string(2, kind);
  });
  w.bytes(2, raw);
  // Go writes the empty strings too (non-nullable fields).
  w.string(3, '');
  w.string(4, '');
  const body = w.finish();
  const out = new Uint8Array(4 + body.length);
  out.set(KUBE_PROTOBUF_PREFIX, 0);
  out.set(body, 4);
  return out;
}

/** Encodes one message (no envelope) from its JSON form; properties the message lacks are ignored. */
export function encodeMessage(messageName: string, value: JsonObject): Uint8Array {
  const message = messageOf(messageName);
  if (!message) throw new ProtobufError(`unknown protobuf message ${messageName}`);
  const w = new WireWriter();
  writeFields(message, value, w, 0);
  return w.finish();
}

/**
 * One frame of a protobuf watch stream: a 4-byte big-endian length, then a metav1.WatchEvent
 * {type = 1, object = 2 RawExtension} without envelope, whose raw bytes are the object's envelope.
 */
export function encodeWatchFrame(type: string, object: Uint8Array): Uint8Array {
  const w = new WireWriter();
  w.string(1, type);
  w.message(2, () => w.bytes(1, object));
  const event = w.finish();
  const out = new Uint8Array(4 + event.length);
  new DataView(out.buffer).setUint32(0, event.length, false);
  out.set(event, 4);
  return out;
}

function writeFields(message: CompiledMessage, obj: JsonObject, w: WireWriter, depth: number): void {
  if (depth > MAX_DEPTH) throw new ProtobufError(`object nested more than ${MAX_DEPTH} levels`);
  for (const field of message.fields) {
    if (field.inline) {
      const inner = messageOf(field.type)!;
      let present = false;
      for (const key of inner.jsonKeys) {
        if (obj[key] !== undefined && obj[key] !== null) {
          present = true;
          break;
        }
      }
      if (present) w.message(field.n, () => writeFields(inner, obj, w, depth + 1));
      continue;
    }
    const value = obj[field.json];
    if (value === undefined || value === null) continue;
    if (field.map) {
      if (typeof value !== 'object' || Array.isArray(value)) throw mistyped(message, field, 'an object');
      const entries = value as JsonObject;
      const [keyType, valueType] = field.map;
      for (const key of Object.keys(entries).sort()) {
        const v = entries[key];
        w.message(field.n, () => {
          writeValue(message, field, keyType, 1, key, w, depth);
          if (v !== undefined && v !== null) writeValue(message, field, valueType, 2, v, w, depth);
        });
      }
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw mistyped(message, field, 'an array');
      for (const item of value) {
        if (item === null && !field.scalar) w.bytes(field.n, new Uint8Array(0));
        else writeValue(message, field, field.type, field.n, item, w, depth);
      }
    } else writeValue(message, field, field.type, field.n, value, w, depth);
  }
}

function writeValue(message: CompiledMessage, field: CompiledField, type: string, n: number, value: unknown, w: WireWriter, depth: number): void {
  switch (type) {
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw mistyped(message, field, 'a string');
      w.string(n, String(value));
      return;
    case 'bytes':
      if (typeof value !== 'string') throw mistyped(message, field, 'a base64 string');
      w.bytes(n, Buffer.from(value, 'base64'));
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw mistyped(message, field, 'a boolean');
      w.bool(n, value);
      return;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      w.varint(n, integer(message, field, value));
      return;
    default:
      writeMessageValue(message, field, type, n, value, w, depth + 1);
  }
}

function integer(message: CompiledMessage, field: CompiledField, value: unknown): number | bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw mistyped(message, field, 'an integer');
}

function writeMessageValue(message: CompiledMessage, field: CompiledField, type: string, n: number, value: unknown, w: WireWriter, depth: number): void {
  switch (type) {
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
    case 'k8s.io.apimachinery.pkg.api.resource.QuantityValue':
      if (typeof value !== 'string' && typeof value !== 'number') throw mistyped(message, field, 'a quantity');
      w.message(n, () => w.string(1, String(value)));
      return;
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      if (typeof value !== 'number' && typeof value !== 'string') throw mistyped(message, field, 'an integer or a string');
      w.message(n, () => {
        w.varint(1, typeof value === 'number' ? 0 : 1);
        w.varint(2, typeof value === 'number' ? Math.trunc(value) : 0);
        w.string(3, typeof value === 'string' ? value : '');
      });
      return;
    case TIME:
    case MICRO_TIME: {
      if (typeof value !== 'string') throw mistyped(message, field, 'an RFC 3339 time');
      const { seconds, nanos } = parseTimestamp(value);
      // Time keeps whole seconds; MicroTime keeps microseconds.
      const wireNanos = type === TIME ? 0 : Math.floor(nanos / 1000) * 1000;
      w.message(n, () => {
        w.varint(1, seconds);
        w.varint(2, wireNanos);
      });
      return;
    }
    case DURATION:
      if (typeof value !== 'string') throw mistyped(message, field, 'a duration string');
      w.message(n, () => w.varint(1, parseDuration(value)));
      return;
    case FIELDS_V1:
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
      w.message(n, () => w.bytes(1, Buffer.from(JSON.stringify(value))));
      return;
    default:
      break;
  }
  const inner = messageOf(type);
  if (!inner) throw new ProtobufError(`unknown protobuf message ${type}`);
  if (inner.listWrapper) {
    if (!Array.isArray(value)) throw mistyped(message, field, 'an array');
    w.message(n, () => {
      for (const item of value) w.string(1, String(item));
    });
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw mistyped(message, field, 'an object');
  w.message(n, () => writeFields(inner, value as JsonObject, w, depth));
}

function mistyped(message: CompiledMessage, field: CompiledField, want: string): ProtobufError {
  return new ProtobufError(`${shortName(message.name)}.${field.json}: expected ${want}`);
}
