// Public surface of the node layer. Today that is the simulated runtime (`strata sim`); the node
// agent with its process and cri runtimes comes later and will be exported from here too.

export * from './runtime/sim/index.ts';
