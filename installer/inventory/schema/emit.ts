// Writes inventory.schema.json (the file editors load through the yaml-language-server comment).
// `npm run schema` regenerates the checkout's copy, next to inventory.example.yaml; a test fails when it is
// stale. A site repository gets the same file next to its inventory.yaml from labctl render and labctl
// init, so an inventory copied from the example keeps working in the editor outside the checkout.
import { writeFileSync } from 'node:fs';
import { inventorySchema } from './index.ts';
import { repoPath } from '../../core/paths.ts';

/** The file name beside the inventory, in the checkout and in every site repository. */
export const SCHEMA_NAME = 'inventory.schema.json';
export const SCHEMA_FILE = repoPath(SCHEMA_NAME);
/** The editor line an inventory opens with: the schema beside it. */
export const SCHEMA_COMMENT = `# yaml-language-server: $schema=./${SCHEMA_NAME}`;
// $schema, $id and title first, as readers of the file expect (TypeBox puts options after the keywords).
const { $schema, $id, title } = inventorySchema as Record<string, unknown>;
export const schemaText = () => JSON.stringify({ $schema, $id, title, ...inventorySchema }, null, 2) + '\n';

if (process.argv[1]?.endsWith('emit.ts')) {
  writeFileSync(SCHEMA_FILE, schemaText());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
