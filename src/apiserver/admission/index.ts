// Public surface of the built-in admission steps the registry strategies run on writes.

export {
  admitDefaultTolerationSeconds,
  DEFAULT_TOLERATION_SECONDS,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  type DefaultTolerationSecondsOptions,
} from './default-toleration-seconds.ts';
export { admitPriority, SYSTEM_PRIORITY_CLASSES, type PriorityClassLookup } from './priority.ts';
