// The generic REST store: create, get, list, update, patch, delete and watch for one stored
// resource, driven by a Strategy. Every write is a compare-and-swap on the store revision; lists
// and watches are served from the watch cache.

import { randomUUID } from 'node:crypto';
import type { KubeObject, ResourceDefinition } from '../../api/types.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  failure,
  gone,
  invalid,
  notFound,
  type FieldError,
  type GroupResource,
} from '../../machinery/status-error.ts';
import { isStoreError, type Store } from '../../store/types.ts';
import { cachedObject, TooOldResourceVersionError, WatchCache, type CacheWatcher, type CachedObject, type WatchSink } from '../../store/watch-cache.ts';
import { clone, decodeObject, encodeObject, jsonEqual, objectKey, storagePrefix } from './object-codec.ts';
import type { DeleteOptions, RequestContext, Strategy } from './strategy.ts';

/**
 * Which part of an object a write may change: undefined = the main resource (status is kept),
 * 'status' = only status, 'ephemeralcontainers' = only a pod's spec.ephemeralContainers,
 * 'internal' = a trusted server-side write of spec and status together
 * (pods/binding, namespaces/finalize) that skips the immutability rules of user updates.
 */
export type WriteScope = 'status' | 'ephemeralcontainers' | 'internal';

export interface ObjectFilter {
  namespace?: string | undefined;
  /** Returns true for objects the request selects (label and field selectors). */
  matches?: ((obj: KubeObject) => boolean) | undefined;
}

export interface ListRequest extends ObjectFilter {
  limit?: number | undefined;
  continueToken?: string | undefined;
  resourceVersion?: string | undefined;
  resourceVersionMatch?: string | undefined;
}

export interface ListResult {
  items: CachedObject<KubeObject>[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

/**
 * Called with the fully prepared object (defaulted, validated) and the stored one (undefined on
 * create) just before a write: the API layer records managedFields here.
 */
export type BeforeWrite = (next: KubeObject, current: KubeObject | undefined) => void;

/** Checks that namespaced writes target a live namespace (NamespaceLifecycle admission). */
export type NamespaceGuard = (namespace: string, ctx: RequestContext) => Promise<void>;

/**
 * Store conflicts are retried by re-reading and re-running the mutation, as upstream's
 * GuaranteedUpdate does; a pinned resourceVersion that went stale then fails the check against
 * the fresh object. Every conflict means another writer made progress, so the bound is only a
 * safety net: it must exceed the number of writers that can race on one object.
 */
const MAX_UPDATE_RETRIES = 1000;
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
/** Upstream SimpleNameGenerator: the generateName prefix is cut so that prefix + 5 fits 63. */
const MAX_GENERATED_NAME_PREFIX = 63 - 5;

export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface ContinueToken {
  rv: number;
  start: string;
}

export class GenericStore {
  readonly def: ResourceDefinition;
  readonly strategy: Strategy;
  readonly gr: GroupResource;
  readonly prefix: string;
  readonly cache: WatchCache<KubeObject>;
  readonly #store: Store;
  readonly #namespaceGuard: NamespaceGuard | undefined;

  constructor(def: ResourceDefinition, strategy: Strategy, store: Store, options: { namespaceGuard?: NamespaceGuard; cacheWindowMs?: number } = {}) {
    this.def = def;
    this.strategy = strategy;
    this.gr = { group: def.storage.group, resource: def.storage.resource };
    this.prefix = storagePrefix(def.storage.group, def.storage.resource);
    this.#store = store;
    this.#namespaceGuard = options.namespaceGuard;
    const cacheOptions: ConstructorParameters<typeof WatchCache<KubeObject>>[2] = {
      decode: decodeObject,
      withRevision: (obj, revision) => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } }),
    };
    if (options.cacheWindowMs !== undefined) cacheOptions.windowMs = options.cacheWindowMs;
    this.cache = new WatchCache<KubeObject>(store, this.prefix, cacheOptions);
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  key(namespace: string | undefined, name: string): string {
    return objectKey(this.prefix, this.def.namespaced ? namespace : undefined, name);
  }

  // ---- reads ----

  /** A consistent read from the store (never stale, even across replicas). */
  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.#store.get(this.key(namespace, name));
    if (!kv) throw notFound(this.gr, name);
    return decodeObject(kv);
  }

  async list(req: ListRequest): Promise<ListResult> {
    const keyPrefix = this.def.namespaced && req.namespace ? `${this.prefix}${req.namespace}/` : this.prefix;
    const limit = req.limit && req.limit > 0 ? req.limit : undefined;
    let token: ContinueToken | undefined;
    if (req.continueToken) {
      token = decodeContinue(req.continueToken);
      // A token from another replica may be ahead of this cache; never answer for a future revision.
      if (token.rv > this.cache.revision) await this.#waitForRevision(token.rv);
    }
    else if (req.resourceVersionMatch === 'Exact') {
      const rv = parseRevision(req.resourceVersion);
      if (!rv) throw badRequest('resourceVersionMatch "Exact" requires a non-zero resourceVersion');
      token = { rv, start: '' };
    } else await this.#waitForListRevision(req.resourceVersion, req.resourceVersionMatch);

    let source: Iterable<CachedObject<KubeObject>>;
    // The cache's content is the state at every revision from its last event up to what it has
    // seen (commits to other resources move the store on without touching this one).
    let revision = this.cache.seenRevision;
    if (token && (token.rv < this.cache.revision || token.rv > revision)) {
      source = await this.#historicalList(keyPrefix, token);
      revision = token.rv;
    } else {
      source = this.cache.entries(keyPrefix, token?.start || undefined);
    }
    const items: CachedObject<KubeObject>[] = [];
    let more = false;
    let remaining = 0;
    for (const entry of source) {
      if (!this.#selects(entry.object, req)) continue;
      if (limit !== undefined && items.length >= limit) {
        more = true;
        remaining++;
        continue;
      }
      items.push(entry);
    }
    const result: ListResult = { items, resourceVersion: String(revision) };
    if (more) {
      const last = items[items.length - 1] as CachedObject<KubeObject>;
      result.continueToken = encodeContinue({ rv: revision, start: last.key });
      result.remainingItemCount = remaining;
    }
    return result;
  }

  async #historicalList(keyPrefix: string, token: ContinueToken): Promise<CachedObject<KubeObject>[]> {
    try {
      const { items } = await this.#store.list(keyPrefix, { revision: token.rv });
      return items
        .filter((kv) => !token.start || kv.key > token.start)
        .map((kv) => {
          const object = decodeObject(kv);
          return cachedObject(kv.key, object, kv.modRevision);
        });
    } catch (err) {
      if (isStoreError(err, 'compacted')) {
        throw gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      throw err;
    }
  }

  async #waitForListRevision(resourceVersion: string | undefined, match: string | undefined): Promise<void> {
    if (resourceVersion === '0') return;
    if (!resourceVersion) {
      await this.cache.waitFresh();
      return;
    }
    const rv = parseRevision(resourceVersion);
    if (rv === undefined) throw badRequest(`invalid resourceVersion "${resourceVersion}"`);
    if (match && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch "${match}" is not supported`);
    await this.#waitForRevision(rv);
  }

  async #waitForRevision(rv: number): Promise<void> {
    try {
      await this.cache.waitForRevision(rv);
    } catch {
      throw failure(504, 'Timeout', `Too large resource version: ${rv}, current: ${this.cache.revision}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    }
  }

  #selects(obj: KubeObject, filter: ObjectFilter): boolean {
    if (filter.namespace && this.def.namespaced && obj.metadata.namespace !== filter.namespace) return false;
    return !filter.matches || filter.matches(obj);
  }

  /**
   * Watches from a resourceVersion ("" or "0": synthetic ADDED events for what exists now).
   * Throws 410 Expired when the requested revision has left the cache's window.
   */
  async watch(resourceVersion: string | undefined, filter: ObjectFilter, sink: WatchSink<KubeObject>, onEnd?: () => void): Promise<CacheWatcher> {
    const rv = resourceVersion ? parseRevision(resourceVersion) : 0;
    if (rv === undefined) throw badRequest(`invalid resourceVersion "${resourceVersion}"`);
    if (rv > this.cache.revision) await this.#waitForRevision(rv);
    else if (rv === 0 && resourceVersion !== '0') await this.cache.waitFresh();
    try {
      const keyPrefix = this.def.namespaced && filter.namespace ? `${this.prefix}${filter.namespace}/` : this.prefix;
      return this.cache.watch(rv, (obj) => this.#selects(obj, filter), sink, keyPrefix, onEnd);
    } catch (err) {
      if (err instanceof TooOldResourceVersionError) throw gone(err.message);
      throw err;
    }
  }

  // ---- writes ----

  async create(namespace: string | undefined, input: KubeObject, ctx: RequestContext, options: { beforeWrite?: BeforeWrite | undefined } = {}): Promise<KubeObject> {
    const obj = input;
    const meta = (obj.metadata ??= {});
    if (this.def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      const ns = namespace ?? meta.namespace;
      if (ns) meta.namespace = ns;
    } else delete meta.namespace;
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name && meta.generateName) meta.name = meta.generateName.slice(0, MAX_GENERATED_NAME_PREFIX) + generateNameSuffix();
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(ctx.now);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if ('spec' in obj) meta.generation = 1;
    else delete meta.generation;

    if (this.def.namespaced && meta.namespace && this.#namespaceGuard) await this.#namespaceGuard(meta.namespace, ctx);
    // Upstream order: defaults, then the strategy's PrepareForCreate, then validation.
    this.strategy.defaults(obj);
    await this.strategy.prepareForCreate(obj, ctx);
    const errors = this.strategy.validate(obj);
    if (errors.length) {
      if (!ctx.dryRun) await this.strategy.abortCreate(obj);
      throw this.#invalid(obj, errors);
    }
    options.beforeWrite?.(obj, undefined);
    if (ctx.dryRun) return obj;
    try {
      const kv = await this.#store.create(this.key(meta.namespace, meta.name as string), encodeObject(obj));
      meta.resourceVersion = String(kv.modRevision);
      return obj;
    } catch (err) {
      await this.strategy.abortCreate(obj);
      if (isStoreError(err, 'exists')) throw alreadyExists(this.gr, meta.name as string);
      throw err;
    }
  }

  /**
   * Replaces the object. `mutate` receives the current object and returns the desired one
   * (PUT returns the body, PATCH applies the patch); it is re-run on conflicts when the caller
   * did not pin a resourceVersion.
   */
  async update(
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    ctx: RequestContext,
    options: { subresource?: WriteScope | undefined; forceAllowCreate?: boolean; beforeWrite?: BeforeWrite | undefined } = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const key = this.key(namespace, name);
      const kv = await this.#store.get(key);
      if (!kv) {
        if (!(this.strategy.allowCreateOnUpdate || options.forceAllowCreate) || options.subresource) throw notFound(this.gr, name);
        const desired = await mutate(undefined);
        this.#checkName(desired, name);
        return { object: await this.create(namespace, desired, ctx, { beforeWrite: options.beforeWrite }), created: true };
      }
      const current = decodeObject(kv);
      const desired = await mutate(clone(current));
      const pinned = desired.metadata?.resourceVersion;
      if (pinned && pinned !== current.metadata.resourceVersion) {
        throw conflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const next = await this.#prepareUpdate(desired, current, name, ctx, options.subresource);
      options.beforeWrite?.(next, current);
      const abort = async (): Promise<void> => {
        if (options.subresource === undefined && !ctx.dryRun) await this.strategy.abortUpdate(next, current);
      };
      if (jsonEqual(withoutRv(next), withoutRv(current))) {
        await abort();
        return { object: current, created: false };
      }
      if (next.metadata.deletionTimestamp && (current.metadata.deletionGracePeriodSeconds ?? 0) === 0 && !this.strategy.hasPendingFinalizers(next)) {
        // The last finalizer went away: the object's pending deletion completes now. A deletion
        // still in its grace period (a pod its node agent is stopping) is not ended by a write;
        // the agent's delete with a zero grace period ends it (upstream shouldDeleteDuringUpdate).
        if (ctx.dryRun) return { object: next, created: false };
        return { object: await this.#remove(next, kv.modRevision), created: false };
      }
      if (ctx.dryRun) return { object: next, created: false };
      try {
        const written = await this.#store.update(key, encodeObject(next), kv.modRevision);
        next.metadata.resourceVersion = String(written.modRevision);
        if (options.subresource === undefined) await this.strategy.afterUpdate(next, current);
        return { object: next, created: false };
      } catch (err) {
        await abort();
        if (isStoreError(err, 'conflict') && attempt < MAX_UPDATE_RETRIES) continue;
        if (isStoreError(err, 'conflict')) {
          throw conflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        if (isStoreError(err, 'not-found')) throw notFound(this.gr, name);
        throw err;
      }
    }
  }

  #checkName(obj: KubeObject, name: string): void {
    if (obj.metadata?.name && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
  }

  async #prepareUpdate(desired: KubeObject, current: KubeObject, name: string, ctx: RequestContext, subresource: WriteScope | undefined): Promise<KubeObject> {
    if (!desired || typeof desired !== 'object' || !desired.metadata || typeof desired.metadata !== 'object') {
      throw badRequest('the object has no metadata');
    }
    this.#checkName(desired, name);
    if (this.def.namespaced && desired.metadata.namespace && desired.metadata.namespace !== current.metadata.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let next: KubeObject;
    if (subresource === 'status') {
      // A status write changes status only; spec and metadata stay as stored.
      next = clone(current);
      if ('status' in desired) next['status'] = desired['status'];
      else delete next['status'];
    } else if (subresource === 'ephemeralcontainers') {
      next = clone(current);
      const spec = (next['spec'] ??= {}) as Record<string, unknown>;
      const wanted = ((desired['spec'] ?? {}) as Record<string, unknown>)['ephemeralContainers'];
      if (wanted === undefined) delete spec['ephemeralContainers'];
      else spec['ephemeralContainers'] = wanted;
    } else {
      next = desired;
      if (this.strategy.statusSubresource && subresource !== 'internal') {
        if ('status' in current) next['status'] = clone(current['status']);
        else delete next['status'];
      }
    }
    const meta = next.metadata;
    const old = current.metadata;
    meta.name = old.name as string;
    if (this.def.namespaced) meta.namespace = old.namespace as string;
    else delete meta.namespace;
    meta.uid = old.uid as string;
    meta.creationTimestamp = old.creationTimestamp as string;
    setOrDelete(meta, 'deletionTimestamp', old.deletionTimestamp);
    setOrDelete(meta, 'deletionGracePeriodSeconds', old.deletionGracePeriodSeconds);
    setOrDelete(meta, 'generation', old.generation);
    delete meta.selfLink;
    if (old.deletionTimestamp && meta.finalizers) {
      // While an object is being deleted, finalizers may only be removed, never added.
      const had = new Set(old.finalizers ?? []);
      const added = meta.finalizers.filter((f) => !had.has(f));
      if (added.length) {
        throw this.#invalid(next, [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
      }
    }
    if (subresource === undefined) {
      this.strategy.defaults(next);
      await this.strategy.prepareForUpdate(next, current, ctx);
      if ('spec' in next && !jsonEqual(next['spec'], current['spec'])) meta.generation = (old.generation ?? 0) + 1;
    }
    const errors = this.#validateUpdate(next, current, subresource);
    if (errors.length) {
      if (subresource === undefined && !ctx.dryRun) await this.strategy.abortUpdate(next, current);
      throw this.#invalid(next, errors);
    }
    meta.resourceVersion = current.metadata.resourceVersion as string;
    return next;
  }

  /** Update validation (shared rules plus immutability), shaped by what the write may change. */
  #validateUpdate(next: KubeObject, current: KubeObject, scope: WriteScope | undefined): FieldError[] {
    switch (scope) {
      case 'internal':
        return [];
      case 'ephemeralcontainers': {
        // Only spec.ephemeralContainers moved: compare against the old pod with that one change,
        // so the pod-spec immutability rules judge nothing else.
        const spec = (next['spec'] ?? {}) as Record<string, unknown>;
        const base = { ...current, spec: { ...((current['spec'] ?? {}) as object), ephemeralContainers: spec['ephemeralContainers'] } };
        return this.strategy.validateUpdate(next, base);
      }
      default:
        return this.strategy.validateUpdate(next, current);
    }
  }

  #invalid(obj: KubeObject, errors: FieldError[]) {
    return invalid(this.def.kind, this.def.group, obj.metadata?.name ?? '', errors);
  }

  /**
   * Deletes with upstream semantics: preconditions, graceful deletion, finalizers and the
   * orphan/foreground propagation finalizers. Returns the object and whether it is gone now.
   */
  async delete(namespace: string | undefined, name: string, options: DeleteOptions, ctx: RequestContext): Promise<{ object: KubeObject; deleted: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const key = this.key(namespace, name);
      const kv = await this.#store.get(key);
      if (!kv) throw notFound(this.gr, name);
      const current = decodeObject(kv);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      const next = clone(current);
      const meta = next.metadata;
      const finalizers = new Set(meta.finalizers ?? []);
      const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : undefined);
      if (policy === 'Orphan') finalizers.add('orphan');
      if (policy === 'Foreground') finalizers.add('foregroundDeletion');
      if (policy === 'Background' || options.orphanDependents === false) {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      const grace = this.strategy.gracePeriod(current, options);
      const pendingGrace = grace > 0;
      if (finalizers.size) meta.finalizers = [...finalizers];
      else delete meta.finalizers;
      if (this.strategy.hasPendingFinalizers(next) || pendingGrace) {
        // Two-phase deletion: mark the object and leave it for finalizers or the node agent.
        const deadline = new Date(ctx.now.getTime() + grace * 1000);
        // A pending deletion may only be shortened, down to 0 (then it waits on finalizers alone).
        const shorter = meta.deletionGracePeriodSeconds === undefined || grace < meta.deletionGracePeriodSeconds;
        if (!meta.deletionTimestamp || shorter) {
          meta.deletionTimestamp = rfc3339(deadline);
          meta.deletionGracePeriodSeconds = grace;
        }
        this.strategy.prepareForDeletion(next);
        if (jsonEqual(next, current) || ctx.dryRun) return { object: next, deleted: false };
        try {
          const written = await this.#store.update(key, encodeObject(next), kv.modRevision);
          meta.resourceVersion = String(written.modRevision);
          return { object: next, deleted: false };
        } catch (err) {
          if (isStoreError(err, 'conflict') && attempt < MAX_UPDATE_RETRIES) continue;
          throw err;
        }
      }
      if (ctx.dryRun) return { object: current, deleted: true };
      try {
        return { object: await this.#remove(current, kv.modRevision), deleted: true };
      } catch (err) {
        if (isStoreError(err, 'conflict') && attempt < MAX_UPDATE_RETRIES) continue;
        throw err;
      }
    }
  }

  async #remove(obj: KubeObject, expectedRevision: number): Promise<KubeObject> {
    try {
      const kv = await this.#store.delete(this.key(obj.metadata.namespace, obj.metadata.name as string), expectedRevision);
      const gone = decodeObject(kv);
      await this.strategy.afterDelete(gone);
      return gone;
    } catch (err) {
      if (isStoreError(err, 'not-found')) throw notFound(this.gr, obj.metadata.name as string);
      throw err;
    }
  }
}

function withoutRv(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: '' } };
}

function setOrDelete<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

export function parseRevision(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return 0;
  if (!/^\d+$/.test(rv)) return undefined;
  return Number(rv);
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'strata/v1', rv: token.rv, start: token.start })).toString('base64url');
}

function decodeContinue(raw: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { v?: string; rv?: unknown; start?: unknown };
    if (parsed.v === 'strata/v1' && Number.isSafeInteger(parsed.rv) && (parsed.rv as number) > 0 && typeof parsed.start === 'string') return { rv: parsed.rv as number, start: parsed.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: invalid continue token');
}
