// The one entry point to @peculiar/x509: installs the Reflect metadata functions it needs before
// the library loads, and points it at Node's WebCrypto. Import x509 from here, never directly.

import './reflect-metadata.ts';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
