// The value every plugin returns, as upstream's framework.Status: a code, the reasons shown to
// users (joined into messages such as "0/3 nodes are available: 3 Insufficient cpu."), the plugin
// that produced it and, for Error, the cause. SUCCESS is a shared constant so the hot path
// (Filter and Score on thousands of nodes) allocates nothing when a node fits.

export const Code = {
  Success: 0,
  /** An internal error: the pod is retried after backoff, never reported as unschedulable. */
  Error: 1,
  /** The pod does not fit now; preemption may help. */
  Unschedulable: 2,
  /** The pod does not fit and preemption cannot change that on this node. */
  UnschedulableAndUnresolvable: 3,
  /** A Permit plugin asks the binding cycle to wait. */
  Wait: 4,
  /** The plugin has nothing to do for this pod; its later extension points are skipped. */
  Skip: 5,
  /** The pod waits for something outside the scheduler (queueing-only). */
  Pending: 6,
} as const;

export type Code = (typeof Code)[keyof typeof Code];

const CODE_NAMES = ['Success', 'Error', 'Unschedulable', 'UnschedulableAndUnresolvable', 'Wait', 'Skip', 'Pending'] as const;

export class Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that returned it (set by the plugin or filled in by the framework). */
  readonly plugin: string;
  readonly error: unknown;

  constructor(code: Code, reasons: readonly string[] = [], plugin = '', error?: unknown) {
    this.code = code;
    this.reasons = reasons;
    this.plugin = plugin;
    this.error = error;
  }

  static unschedulable(plugin: string, ...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons, plugin);
  }

  static unresolvable(plugin: string, ...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons, plugin);
  }

  static error(plugin: string, err: unknown): Status {
    const message = err instanceof Error ? err.message : String(err);
    return new Status(Code.Error, [message], plugin, err);
  }

  static skip(plugin = ''): Status {
    return plugin ? new Status(Code.Skip, [], plugin) : SKIP;
  }

  static wait(plugin: string, reason = ''): Status {
    return new Status(Code.Wait, reason ? [reason] : [], plugin);
  }

  get isSuccess(): boolean {
    return this.code === Code.Success;
  }

  /** Unschedulable or UnschedulableAndUnresolvable: the pod was rejected, not failed. */
  get isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending;
  }

  get isSkip(): boolean {
    return this.code === Code.Skip;
  }

  /** The reasons joined as upstream's Status.Message(). */
  get message(): string {
    return this.reasons.join(', ');
  }

  withPlugin(plugin: string): Status {
    return this.plugin === plugin ? this : new Status(this.code, this.reasons, plugin, this.error);
  }

  withCode(code: Code): Status {
    return new Status(code, this.reasons, this.plugin, this.error);
  }

  toString(): string {
    return `${CODE_NAMES[this.code]}${this.reasons.length ? `: ${this.message}` : ''}${this.plugin ? ` (${this.plugin})` : ''}`;
  }
}

export const SUCCESS = new Status(Code.Success);
const SKIP = new Status(Code.Skip);

/** Upstream's nil-safe IsSuccess: plugins may return undefined for success. */
export const isSuccess = (s: Status | undefined | null): boolean => !s || s.code === Code.Success;

export const asStatus = (plugin: string, err: unknown): Status => Status.error(plugin, err);
