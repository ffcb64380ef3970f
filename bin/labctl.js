#!/usr/bin/env node
// Entry point: runs the TypeScript sources directly through tsx (no build step to forget).
import { register } from 'tsx/esm/api';
register();
await import('../installer/cli/main.ts');
