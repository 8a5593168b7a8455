// Public surface of the controller runtime: the Reconciler contract, the Controller runner, the
// leader-elected ControllerManager, and expectations.

export { Expectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.ts';
export { common, type ControllerContext, type TermContext } from './context.ts';
export type { Reconciler, Result } from './reconciler.ts';
export { Controller, type ControllerOptions, type KeyFunc } from './controller.ts';
export {
  ControllerManager,
  LEADER_ELECTION_NAME,
  LEADER_ELECTION_NAMESPACE,
  type ControllerFactory,
  type ControllerManagerOptions,
} from './manager.ts';
