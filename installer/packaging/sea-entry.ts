// Entry of the single executable (a CommonJS bundle, which is what Node's SEA runs): unpack the files,
// then run the same main() as bin/labctl.js.
import './sea-root.ts';
import { main } from '../cli/main.ts';

// A SEA sees argv as [executable, executable, ...arguments].
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
