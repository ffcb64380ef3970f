// Writes installer/inventory/schema.json (the file editors load through the yaml-language-server
// comment). `npm run schema` regenerates it; a test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { inventorySchema } from './index.ts';
import { repoPath } from '../../core/paths.ts';

export const SCHEMA_FILE = repoPath('installer/inventory/schema.json');
// $schema, $id and title first, as readers of the file expect (TypeBox puts options after the keywords).
const { $schema, $id, title } = inventorySchema as Record<string, unknown>;
export const schemaText = () => JSON.stringify({ $schema, $id, title, ...inventorySchema }, null, 2) + '\n';

if (process.argv[1]?.endsWith('emit.ts')) {
  writeFileSync(SCHEMA_FILE, schemaText());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
