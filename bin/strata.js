#!/usr/bin/env node
// Entry point for `npx strata`: Node 24 runs the TypeScript sources directly.
import '../src/cmd/main.ts';
