// Public surface of CustomResourceDefinition serving: the CRD kind's strategy and extras, and the
// controller that turns stored CRDs into served kinds.

export { crdStrategy, registerCrdKind, CRD_KIND_EXTRAS } from './crd-strategy.ts';
export { CrdController, startCrdController } from './controller.ts';
