// `npm run release` (all), `npm pack`'s prepack (dist) and postpack (clean-dist), and the tests
// (pack|sea|image --json): builds what labctl is installed from into release/ (installer/packaging/release.ts).
// An entry point: it picks its exit code (test/exit-codes.test.ts lists it).
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackageBundle } from './bundle.ts';
import { layoutSize } from './image.ts';
import { assemble, imageRelease, packRelease, RELEASE, ROOT, type SeaBuild, seaRelease, version } from './release.ts';

const USAGE =
  'usage: npm run release [-- --json]   (or tsx installer/packaging/release-cli.ts all|pack|sea|image [--json])\n' +
  'Builds the npm package, the single executables and the CI image into release/ (minutes; reuses builds of unchanged inputs).';
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const what = args[0] ?? 'all';
const json = args.includes('--json');
const unknown = args.slice(1).filter((a) => a !== '--json');
if (!['all', 'pack', 'sea', 'image', 'dist', 'clean-dist'].includes(what) || unknown.length) {
  console.error(`release: unknown argument ${unknown[0] ?? what}\n${USAGE}`);
  process.exit(2);
}
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const report: Record<string, unknown> = {};
const say = (line: string) => {
  if (!json) console.log(line);
};
if (what === 'dist') {
  await buildPackageBundle(ROOT);
} else if (what === 'clean-dist') {
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
} else {
  if (what === 'all' || what === 'pack') {
    const p = await packRelease();
    report.pack = p;
    say(`package: ${p.file} (${mb(p.bytes)}, ${p.built ? `built in ${p.ms} ms` : 'unchanged inputs, reused'})`);
  }
  if (what === 'all' || what === 'sea') {
    const s = await seaRelease();
    report.sea = s;
    say(`single executables: ${s.dir} (${s.built ? `built in ${s.ms} ms` : 'unchanged inputs, reused'})`);
    for (const f of Object.values(s.files)) say(`  ${f} (${mb(statSync(f).size)})`);
  }
  if (what === 'all' || what === 'image') {
    const i = await imageRelease();
    report.image = { ...i, bytes: layoutSize(i.dir) };
    say(
      `image: ${i.dir} (${mb(layoutSize(i.dir))} compressed; ${i.built ? `built in ${i.ms} ms` : 'reused'}), manifest ${i.manifest.digest}`,
    );
  }
}
if (what === 'all') {
  const v = version(ROOT).version;
  const dir = join(RELEASE, `labctl-${v}`);
  const r = report as { pack: { file: string }; sea: SeaBuild; image: { dir: string } };
  assemble(dir, { tgz: r.pack.file, sea: r.sea, image: r.image.dir });
  say(`release folder: ${dir}`);
}
if (json) console.log(JSON.stringify(report));
