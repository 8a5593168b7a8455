// A Strategy is everything kind-specific the generic store needs: how to prepare an object on
// create and update, how to validate it, which fields a field selector may use, and how deletion
// behaves. Built-in and custom kinds share the generic store; only strategies differ.

import type { FieldError } from '../../machinery/status-error.ts';
import type { KubeObject, ResourceDefinition } from '../../api/types.ts';

export interface RequestContext {
  /** Authenticated user name (for audit, managedFields and future admission). */
  readonly user: string;
  /** The full identity (groups, uid, extra) for kinds that record their requester (CSRs). */
  readonly userInfo?: { readonly username: string; readonly uid?: string; readonly groups: readonly string[]; readonly extra?: Readonly<Record<string, readonly string[]>> };
  readonly dryRun: boolean;
  readonly fieldManager: string | undefined;
  readonly now: Date;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface Strategy {
  /** Whether status is split off into a /status subresource (spec and status written separately). */
  readonly statusSubresource: boolean;
  /** Whether PUT on a missing object creates it (upstream: Endpoints, Events, Leases…). */
  readonly allowCreateOnUpdate: boolean;
  /** Field-selector attributes beyond metadata.name and metadata.namespace. */
  readonly selectableFields: readonly string[];
  fields(obj: KubeObject): Record<string, string>;
  /** Fills in defaults (upstream defaulting). Runs on create and update, before validation. */
  defaults(obj: KubeObject): void;
  /** Kind-specific preparation before the first write (status reset, allocation, selectors). */
  prepareForCreate(obj: KubeObject, ctx: RequestContext): void | Promise<void>;
  /** Kind-specific preparation before an update of the main resource. */
  prepareForUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): void | Promise<void>;
  /** Validation of a new object (metadata and kind rules). */
  validate(obj: KubeObject): FieldError[];
  /** Validation of an updated object: the shared rules plus immutability against the old one. */
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /** Whether deletion must wait (metadata.finalizers; namespaces also wait on spec.finalizers). */
  hasPendingFinalizers(obj: KubeObject): boolean;
  /** Marks an object whose deletion is pending (a namespace turns Terminating). */
  prepareForDeletion(obj: KubeObject): void;
  /** Grace period for a delete, or 0 to delete at once. */
  gracePeriod(obj: KubeObject, options: DeleteOptions): number;
  /** Called after an object was removed from the store (release allocations). */
  afterDelete(obj: KubeObject): Promise<void>;
  /** Called after an update was written (free what the old object held and the new one does not). */
  afterUpdate(obj: KubeObject, old: KubeObject): Promise<void>;
  /** Called when an update failed after prepareForUpdate (undo its allocations). */
  abortUpdate(obj: KubeObject, old: KubeObject): Promise<void>;
  /** Called when a create failed after prepareForCreate (undo allocations). */
  abortCreate(obj: KubeObject): Promise<void>;
}

/** A strategy with the generic behaviour; kinds override what differs. */
export function baseStrategy(def: ResourceDefinition, overrides: Partial<Strategy> = {}): Strategy {
  const statusSubresource = def.subresources.some((s) => s.name === 'status');
  const base: Strategy = {
    statusSubresource,
    allowCreateOnUpdate: false,
    selectableFields: [],
    fields: () => ({}),
    defaults: () => {},
    prepareForCreate(obj) {
      // Upstream resets status on create for kinds with a status subresource; its JSON then
      // carries an empty `status: {}` (a Go struct is never omitted), which clients diff against.
      if (statusSubresource) obj['status'] = {};
    },
    prepareForUpdate() {},
    validate: () => [],
    validateUpdate: () => [],
    hasPendingFinalizers: (obj) => (obj.metadata.finalizers?.length ?? 0) > 0,
    prepareForDeletion: () => {},
    gracePeriod: () => 0,
    afterDelete: async () => {},
    afterUpdate: async () => {},
    abortUpdate: async () => {},
    abortCreate: async () => {},
  };
  return { ...base, ...overrides };
}
