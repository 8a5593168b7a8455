// Public surface of the controllers layer.

export * from './runtime/index.ts';
