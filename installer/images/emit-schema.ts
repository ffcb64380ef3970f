// Writes installer/images/image.schema.json (editors load it through the yaml-language-server comment
// at the top of every images/*/image.yaml). `npm run schema` regenerates it; a test fails when stale.
import { writeFileSync } from 'node:fs';
import { imageSchema } from './schema.ts';
import { repoPath } from '../core/paths.ts';

export const IMAGE_SCHEMA_FILE = repoPath('installer/images/image.schema.json');
export const imageSchemaText = () => JSON.stringify(imageSchema, null, 2) + '\n';

if (process.argv[1]?.endsWith('emit-schema.ts')) {
  writeFileSync(IMAGE_SCHEMA_FILE, imageSchemaText());
  process.stdout.write(`wrote ${IMAGE_SCHEMA_FILE}\n`);
}
