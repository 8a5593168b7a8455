// @peculiar/x509 wires its ASN.1 providers through tsyringe, which refuses to load unless a
// Reflect metadata polyfill (reflect-metadata, core-js, …) is installed first. The project ships
// none, and tsyringe only ever needs three functions from it for the classes x509 registers —
// none of which carry decorator metadata — so this module installs just those three when no
// polyfill is present. It must be imported before @peculiar/x509 (see ./x509.ts).
//
// If the project later depends on `reflect-metadata`, replace this import with that package.

type MetadataTarget = object;
type MetadataStore = Map<string | symbol | undefined, Map<unknown, unknown>>;

interface ReflectMetadata {
  getMetadata?(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
  getOwnMetadata?(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
  defineMetadata?(key: unknown, value: unknown, target: MetadataTarget, property?: string | symbol): void;
}

const reflect = Reflect as typeof Reflect & ReflectMetadata;

if (typeof reflect.getMetadata !== 'function') {
  const stores = new WeakMap<MetadataTarget, MetadataStore>();

  const own = (key: unknown, target: MetadataTarget, property?: string | symbol): unknown =>
    stores.get(target)?.get(property)?.get(key);

  reflect.getOwnMetadata = own;
  reflect.getMetadata = (key, target, property) => {
    // Like reflect-metadata, a lookup walks the prototype chain.
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const value = own(key, t, property);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  reflect.defineMetadata = (key, value, target, property) => {
    let store = stores.get(target);
    if (store === undefined) stores.set(target, (store = new Map()));
    let entries = store.get(property);
    if (entries === undefined) store.set(property, (entries = new Map()));
    entries.set(key, value);
  };
}
