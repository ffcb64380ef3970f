#!/usr/bin/env node
// Entry point. First the Node version, in syntax any Node that loads ES modules can parse (no top-level
// await, no ?. or ??, nothing imported but bin/node-support.js), so an old Node gets one line saying what to
// install instead of a SyntaxError or a stack; then labctl itself (bin/start.js).
import { nodeRefusal } from './node-support.js';

var refusal = nodeRefusal(process.version);
if (refusal) {
  process.stderr.write(refusal + '\n');
  process.exitCode = 1;
} else {
  import('./start.js');
}
