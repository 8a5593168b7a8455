// Public surface of the controller runtime: what controllers share (expectations so far; the
// manager and the Reconciler contract come with the Controllers issue).

export { Expectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.ts';
