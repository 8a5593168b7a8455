// A CRI client: the runtime.v1 RuntimeService and ImageService over a unix socket, with
// promise-returning unary calls and a deadline on each. Messages are plain objects in the
// protocol's snake_case field names; int64 values arrive as JS numbers (nanosecond timestamps
// lose only sub-microsecond precision, which nothing here reads).

import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { RUNTIME_V1_PROTO } from './runtime-v1-proto.ts';

/** A message as protobufjs decodes it: snake_case keys, enums as names, int64 as numbers. */
export type Message = Record<string, unknown>;

/** Upstream's default --container-runtime-endpoint for containerd. */
export const DEFAULT_CRI_ENDPOINT = 'unix:///run/containerd/containerd.sock';

/** How long one call may take unless the caller says otherwise (PullImage and ExecSync do). */
const DEFAULT_DEADLINE_MS = 30_000;

/** `unix:///path` (upstream's form) or a bare absolute path: the socket's path. */
export function socketPath(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length);
  if (endpoint.startsWith('/')) return endpoint;
  throw new Error(`invalid --container-runtime-endpoint "${endpoint}" (want unix:///path/to/socket)`);
}

type Unary = (req: Message, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Message) => void) => void;

let services: { runtime: grpc.ServiceClientConstructor; image: grpc.ServiceClientConstructor } | undefined;

function loadServices(): NonNullable<typeof services> {
  if (services) return services;
  const root = protobuf.parse(RUNTIME_V1_PROTO, { keepCase: true }).root;
  const definition = fromJSON(root.toJSON(), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor; ImageService: grpc.ServiceClientConstructor } } };
  services = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  return services;
}

/** A gRPC error from the runtime, with its status code (grpc.status.NOT_FOUND and so on). */
export class CriCallError extends Error {
  readonly code: grpc.status;
  readonly method: string;
  constructor(method: string, err: grpc.ServiceError) {
    super(`${method}: ${err.details || err.message}`, { cause: err });
    this.name = 'CriCallError';
    this.code = err.code;
    this.method = method;
  }
}

export class CriClient {
  readonly endpoint: string;
  readonly #runtime: grpc.Client;
  readonly #image: grpc.Client;

  constructor(endpoint: string) {
    this.endpoint = endpoint;
    const { runtime, image } = loadServices();
    const target = `unix://${socketPath(endpoint)}`;
    // The runtime sends large messages (ExecSync output up to 16 MiB on each stream).
    const options = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
    this.#runtime = new runtime(target, grpc.credentials.createInsecure(), options);
    // Both services share one connection: same target and options reuse the subchannel.
    this.#image = new image(target, grpc.credentials.createInsecure(), options);
  }

  /** A RuntimeService call. */
  runtime(method: string, request: Message, deadlineMs = DEFAULT_DEADLINE_MS): Promise<Message> {
    return call(this.#runtime, method, request, deadlineMs);
  }

  /** An ImageService call. */
  image(method: string, request: Message, deadlineMs = DEFAULT_DEADLINE_MS): Promise<Message> {
    return call(this.#image, method, request, deadlineMs);
  }

  close(): void {
    this.#runtime.close();
    this.#image.close();
  }
}

function call(client: grpc.Client, method: string, request: Message, deadlineMs: number): Promise<Message> {
  const fn = (client as unknown as Record<string, Unary | undefined>)[method];
  if (!fn) return Promise.reject(new Error(`the CRI client has no method ${method}`));
  const deadline = deadlineMs > 0 ? { deadline: new Date(Date.now() + deadlineMs) } : {};
  return new Promise((resolve, reject) => {
    fn.call(client, request, new grpc.Metadata(), deadline, (err, res) => {
      if (err) reject(new CriCallError(method, err));
      else resolve(res ?? {});
    });
  });
}

/** Whether a CRI runtime answers Version on the endpoint within timeoutMs (for --runtime auto). */
export async function criEndpointAnswers(endpoint: string, timeoutMs = 2_000): Promise<boolean> {
  let client: CriClient;
  try {
    if (!existsSync(socketPath(endpoint))) return false;
    client = new CriClient(endpoint);
  } catch {
    return false;
  }
  try {
    await client.runtime('Version', { version: 'v1' }, timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
