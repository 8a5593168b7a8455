// Hashes and names of ControllerRevisions, as upstream computes them: the JSON of what a revision
// records is hashed with 32-bit FNV (FNV-1 over a StatefulSet's patch plus the collision count as
// decimal text; FNV-1a over a DaemonSet's template plus the count as 4 little-endian bytes), the
// sum is spelled with the vowel-free alphabet of rand.SafeEncodeString, and a revision is named
// "<owner>-<hash>". JSON is canonical (sorted keys, Go's escaping) so equal content hashes equally
// whatever key order the API server returned it in.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** rand.SafeEncodeString's alphabet: no vowels (no words) and no look-alike characters. */
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
/** ControllerRevision names are DNS subdomains: the owner prefix is cut so "-<hash>" fits in 253. */
const MAX_PREFIX = 223;

const encoder = new TextEncoder();

/** 32-bit FNV-1 (multiply, then xor), continuing from `h`. */
export function fnv1(bytes: Uint8Array, h = FNV_OFFSET): number {
  for (const b of bytes) h = (Math.imul(h, FNV_PRIME) ^ b) >>> 0;
  return h >>> 0;
}

/** 32-bit FNV-1a (xor, then multiply), continuing from `h`. */
export function fnv1a(bytes: Uint8Array, h = FNV_OFFSET): number {
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into an alphabet that cannot spell words. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHANUMS[(ch.codePointAt(0) ?? 0) % SAFE_ALPHANUMS.length];
  return out;
}

/** Go's json.Marshal of decoded JSON: object keys sorted, no spaces, <, >, & and U+2028/9 escaped. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${goString(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value) ?? 'null';
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** history.HashControllerRevision: FNV-1 of the revision's data, then of the collision count in decimal. */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  let h = fnv1(encoder.encode(canonicalJson(data)));
  if (collisionCount !== undefined) h = fnv1(encoder.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** controller.ComputeHash: FNV-1a of a pod template, then of the collision count as a little-endian uint32. */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  let h = fnv1a(encoder.encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a(count, h);
  }
  return safeEncodeString(String(h));
}

/** history.ControllerRevisionName: "<prefix>-<hash>", the prefix cut to fit a DNS subdomain. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > MAX_PREFIX ? prefix.slice(0, MAX_PREFIX) : prefix}-${hash}`;
}
