// Kubernetes resource quantities ("100m", "1.5Gi", "2e3") and int-or-string values ("25%").
//
// A quantity is held exactly as a bigint count of nano-units plus the format its suffix implies,
// which is what upstream keeps too: parsing rounds anything finer than 1n up (away from zero), and
// the canonical string depends on the format (binary suffixes stay binary when they can).

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9. */
  readonly nano: bigint;
  readonly format: QuantityFormat;
}

export class QuantityParseError extends Error {
  constructor(input: string, why: string) {
    super(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (${JSON.stringify(input)}: ${why})`);
    this.name = 'QuantityParseError';
  }
}

const NANO = 1_000_000_000n;
const MILLI_PER_NANO = 1_000_000n;
/** BinarySI quantities are capped at the int64 maximum, as upstream does. */
const MAX_BINARY_NANO = ((1n << 63n) - 1n) * NANO;
/** Exponents beyond this are rejected rather than expanded into enormous integers. */
const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

const NUMBER_RE = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
const EXPONENT_RE = /^[eE]([+-]?\d+)$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Divides rounding the magnitude up, which is how upstream treats sub-nano precision. */
function divRoundUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  if (q * b === a) return q;
  return a < 0n ? q - 1n : q + 1n;
}

/** Parses a quantity; JSON numbers are accepted too (YAML `cpu: 2`). Throws QuantityParseError. */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === 'number' ? numberToQuantityString(input) : input;
  if (str.length === 0) throw new QuantityParseError(str, 'empty');
  const m = NUMBER_RE.exec(str);
  if (!m) throw new QuantityParseError(str, 'not a number');
  const sign = m[1] ?? '';
  const whole = m[2] ?? '';
  const frac = m[3] ?? '';
  const suffix = m[4] ?? '';
  if (whole.length === 0 && frac.length === 0) throw new QuantityParseError(str, 'no digits');

  let format: QuantityFormat;
  let decimalExponent = 0;
  let binaryPower = 0;
  if (suffix in DECIMAL_SUFFIXES) {
    format = 'DecimalSI';
    decimalExponent = DECIMAL_SUFFIXES[suffix] ?? 0;
  } else if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    binaryPower = BINARY_SUFFIXES[suffix] ?? 0;
  } else {
    const e = EXPONENT_RE.exec(suffix);
    if (!e) throw new QuantityParseError(str, `unable to parse quantity's suffix`);
    decimalExponent = Number(e[1]);
    if (!Number.isSafeInteger(decimalExponent) || Math.abs(decimalExponent) > MAX_EXPONENT) {
      throw new QuantityParseError(str, 'exponent out of range');
    }
    format = 'DecimalExponent';
  }

  // value = digits * 10^(decimalExponent - frac.length) * 2^binaryPower; nano = value * 10^9.
  let mantissa = BigInt((whole || '0') + frac) << BigInt(binaryPower);
  const shift = decimalExponent - frac.length + 9;
  mantissa = shift >= 0 ? mantissa * pow10(shift) : divRoundUp(mantissa, pow10(-shift));
  if (format === 'BinarySI' && mantissa > MAX_BINARY_NANO) mantissa = MAX_BINARY_NANO;
  return { nano: sign === '-' ? -mantissa : mantissa, format };
}

function numberToQuantityString(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityParseError(String(n), 'not a finite number');
  // JavaScript prints 1e21 as "1e+21", which the quantity grammar accepts.
  return String(n);
}

/** Parses without throwing; anything that is not a string or number is not a quantity. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

export function isValidQuantity(input: unknown): boolean {
  return tryParseQuantity(input) !== undefined;
}

function toQuantity(q: Quantity | string | number): Quantity {
  return typeof q === 'object' ? q : parseQuantity(q);
}

/** The canonical string upstream serializes: "1000m" → "1", "1024Mi" → "1Gi", "0.5" → "500m". */
export function formatQuantity(q: Quantity): string {
  if (q.nano === 0n) return '0';
  const negative = q.nano < 0n;
  const magnitude = negative ? -q.nano : q.nano;
  let format = q.format;
  if (format === 'BinarySI' && (magnitude < 1024n * NANO || magnitude % NANO !== 0n)) {
    // Small or fractional binary values read better (and lose nothing) as decimal.
    format = 'DecimalSI';
  }
  const body = format === 'BinarySI' ? formatBinary(magnitude / NANO) : formatDecimal(magnitude, format);
  return negative ? `-${body}` : body;
}

function formatBinary(units: bigint): string {
  let power = 0;
  while (power < BINARY_BY_POWER.length - 1 && units % 1024n === 0n) {
    units /= 1024n;
    power++;
  }
  return `${units}${BINARY_BY_POWER[power]}`;
}

function formatDecimal(nano: bigint, format: QuantityFormat): string {
  let mantissa = nano;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const r = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(r);
  exponent -= r;
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = DECIMAL_BY_EXPONENT.get(exponent);
  return suffix === undefined ? `${mantissa}e${exponent}` : `${mantissa}${suffix}`;
}

/** Parses and re-formats; throws on invalid input. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

/** The value in milli-units, rounded up (away from zero) like upstream MilliValue(). */
export function quantityToMilli(q: Quantity | string | number): bigint {
  return divRoundUp(toQuantity(q).nano, MILLI_PER_NANO);
}

/** The value in whole units, rounded up (away from zero) like upstream Value(). */
export function quantityValue(q: Quantity | string | number): bigint {
  return divRoundUp(toQuantity(q).nano, NANO);
}

/** An approximate float, for ratios and display; exact comparisons use compareQuantities. */
export function quantityToNumber(q: Quantity | string | number): number {
  const nano = toQuantity(q).nano;
  const whole = nano / NANO;
  return Number(whole) + Number(nano - whole * NANO) / 1e9;
}

export function compareQuantities(a: Quantity | string | number, b: Quantity | string | number): -1 | 0 | 1 {
  const x = toQuantity(a).nano;
  const y = toQuantity(b).nano;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sum keeping the format of the first operand, as upstream Add does. */
export function addQuantities(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = toQuantity(a);
  return { nano: x.nano + toQuantity(b).nano, format: x.format };
}

export function subtractQuantities(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = toQuantity(a);
  return { nano: x.nano - toQuantity(b).nano, format: x.format };
}

export function quantityFromMilli(milli: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: milli * MILLI_PER_NANO, format };
}

export function quantityFromValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(value) * NANO, format };
}

/** Rounds up to milli precision (upstream applies this to every ResourceList on decode). */
export function roundUpToMilli(q: Quantity): Quantity {
  return { nano: divRoundUp(q.nano, MILLI_PER_NANO) * MILLI_PER_NANO, format: q.format };
}

// ---- int-or-string ----------------------------------------------------------------------------
// Fields such as maxSurge, maxUnavailable, targetPort and minAvailable hold either an integer or a
// string (a percentage, or a named port).

export type IntOrString = number | string;

const PERCENT_RE = /^[0-9]+%$/;

export function isIntOrString(value: unknown): value is IntOrString {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'string';
}

/** True for strings of the form "25%" (digits then a percent sign). */
export function isPercent(value: unknown): value is string {
  return typeof value === 'string' && PERCENT_RE.test(value);
}

/** The integer inside "25%", or undefined when the value is not a percentage. */
export function parsePercent(value: unknown): number | undefined {
  return isPercent(value) ? Number(value.slice(0, -1)) : undefined;
}

/**
 * The number an int-or-percent stands for, without scaling: 25 for "25%", 3 for 3. Anything else
 * counts as 0, like upstream getIntOrPercentValue.
 */
export function intOrPercentValue(value: unknown): number {
  const pct = parsePercent(value);
  if (pct !== undefined) return pct;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return 0;
}

/**
 * Resolves an int-or-percent against a total: "25%" of 10 is 3 rounding up, 2 rounding down.
 * Throws for strings that are not percentages, as upstream GetScaledValueFromIntOrPercent does.
 */
export function scaledValueFromIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) throw new Error('nil value for IntOrString');
  if (typeof value === 'number') return value;
  if (!value.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const raw = value.slice(0, -1);
  if (!/^-?\d+$/.test(raw)) throw new Error(`invalid value "${value}": invalid percentage`);
  const scaled = (Number(raw) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
