// The real CLI for the cluster tests: test/helpers.ts labctl() with a longer bound, for up, upgrade and remove
// wait on the fake rack's hosts (and its package proxy lives in the test process: never a blocking spawn).
import { labctl } from '../helpers.ts';

export const labctlAsync = (args: string[], timeoutMs = 300_000) => labctl(args, { timeoutMs });
