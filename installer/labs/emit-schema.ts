// Writes installer/labs/lab.schema.json, roster.schema.json and charts/vm-lab/values.schema.json (`npm run schema`); a test fails when stale.
import { writeFileSync } from 'node:fs';
import { repoPath } from '../core/paths.ts';
import { chartValuesSchema, labSchema, rosterSchema } from './schema.ts';

export const LAB_SCHEMA_FILE = repoPath('installer/labs/lab.schema.json');
export const ROSTER_SCHEMA_FILE = repoPath('installer/labs/roster.schema.json');
export const CHART_SCHEMA_FILE = repoPath('charts/vm-lab/values.schema.json');
export const labSchemaText = () => JSON.stringify(labSchema, null, 2) + '\n';
export const rosterSchemaText = () => JSON.stringify(rosterSchema, null, 2) + '\n';
export const chartSchemaText = () => JSON.stringify(chartValuesSchema, null, 2) + '\n';

if (process.argv[1]?.endsWith('emit-schema.ts') && process.argv[1].includes('labs')) {
  writeFileSync(LAB_SCHEMA_FILE, labSchemaText());
  writeFileSync(ROSTER_SCHEMA_FILE, rosterSchemaText());
  writeFileSync(CHART_SCHEMA_FILE, chartSchemaText());
  process.stdout.write(`wrote ${LAB_SCHEMA_FILE}\nwrote ${ROSTER_SCHEMA_FILE}\nwrote ${CHART_SCHEMA_FILE}\n`);
}
