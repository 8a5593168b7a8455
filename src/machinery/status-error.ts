// The one error type of the API: a StatusError carries a metav1 Status that the server writes
// back verbatim. Factories build the common cases; predicates recognise them.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A field-level validation problem; `type` follows upstream field.ErrorType names. */
export interface FieldError {
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueDuplicate'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany'
    | 'FieldValueTypeInvalid'
    | 'FieldValueNotFound';
  field: string;
  message: string;
}

export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? status.reason ?? 'error', options);
    this.name = 'StatusError';
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new StatusError(status);
}

/** A group-qualified resource such as "deployments.apps" or "pods". */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return d;
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, details(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, details(gr, name));
}

export function conflict(gr: GroupResource, name: string, why: string): StatusError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    details(gr, name),
  );
}

export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  // Like upstream NewInvalid: a cause's message is the error body without the field (clients
  // print "<field>: <message>"), and the summary is an aggregate, bracketed when there are several.
  const causes = errors.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
  const messages = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  const summary = messages.length > 1 ? `[${messages.join(', ')}]` : messages.join('');
  const qualified = group ? `${kind}.${group}` : kind;
  const d: StatusDetails = { name, kind, causes };
  if (group) d.group = group;
  return failure(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, d);
}

export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return failure(401, 'Unauthorized', message);
}

export function forbidden(message: string): StatusError {
  return failure(403, 'Forbidden', message);
}

export function methodNotAllowed(message: string): StatusError {
  return failure(405, 'MethodNotAllowed', message);
}

export function notAcceptable(message: string): StatusError {
  return failure(406, 'NotAcceptable', message);
}

export function gone(message: string): StatusError {
  return failure(410, 'Expired', message);
}

export function tooLarge(message: string): StatusError {
  return failure(413, 'RequestEntityTooLarge', message);
}

export function unsupportedMediaType(message: string): StatusError {
  return failure(415, 'UnsupportedMediaType', message);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internalError(message: string, cause?: unknown): StatusError {
  const err = failure(500, 'InternalError', `Internal error occurred: ${message}`);
  if (cause !== undefined) (err as { cause?: unknown }).cause = cause;
  return err;
}

export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

export const isNotFound = (err: unknown): boolean => isStatusError(err) && err.status.reason === 'NotFound';
export const isAlreadyExists = (err: unknown): boolean => isStatusError(err) && err.status.reason === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => isStatusError(err) && err.status.reason === 'Conflict';
export const isInvalid = (err: unknown): boolean => isStatusError(err) && err.status.reason === 'Invalid';
export const isGone = (err: unknown): boolean => isStatusError(err) && err.status.code === 410;

/** Field error constructors, mirroring upstream field.Required / field.Invalid / ... */
export const fieldErrors = {
  required: (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' }),
  notFound: (field: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field, message: `Not found: ${JSON.stringify(value)}` }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  }),
  notSupported: (field: string, value: unknown, valid: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${valid.map((v) => `"${v}"`).join(', ')}`,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, message: `Duplicate value: ${JSON.stringify(value)}` }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` }),
  tooLong: (field: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid',
    field,
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  }),
};
