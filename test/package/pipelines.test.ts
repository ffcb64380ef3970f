// The rendered GitHub/Gitea workflow, parsed and converted by GitHub's own parser
// (@actions/workflow-parser): it must be a valid workflow whose one job runs in labctl's pinned image from
// the site's Harbor and never clones labctl or installs Node packages. A deliberately broken copy shows
// the parser does reject errors.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageVersion, run, tmp } from './helpers.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';

const renders = new Map<string, Promise<{ gh: string; gl: string }>>();
/** The two pipeline files of `inventory` rendered by the checkout; each inventory is rendered once per file
 *  (the tests only read the text). */
function rendered(inventory: string): Promise<{ gh: string; gl: string }> {
  if (!renders.has(inventory)) renders.set(inventory, renderPipelines(inventory));
  return renders.get(inventory)!;
}
async function renderPipelines(inventory: string): Promise<{ gh: string; gl: string }> {
  const out = join(tmp('pipelines'), 'site');
  const r = await run(process.execPath, [join(ROOT, 'bin/labctl.js'), 'render', '-i', inventory, '-o', out]);
  if (r.code !== 0) throw new Error(r.stderr);
  return {
    gh: readFileSync(join(out, '.github/workflows/labs.yaml'), 'utf8'),
    gl: readFileSync(join(out, '.gitlab-ci.yml'), 'utf8'),
  };
}

// The parser imports its JSON schema without an import attribute (it is written for bundlers), which
// Node refuses; esbuild bundles it once into a temporary module.
type WP = typeof import('@actions/workflow-parser');
let wp: WP;
beforeAll(async () => {
  const outfile = join(tmp('workflow-parser'), 'parser.mjs');
  await build({
    stdin: { contents: "export * from '@actions/workflow-parser';", resolveDir: ROOT },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'error',
  });
  wp = (await import(outfile)) as WP;
}, 120_000);
const parse = (content: string) =>
  wp.parseWorkflow({ name: '.github/workflows/labs.yaml', content }, new wp.NoOperationTraceWriter());

describe('rendered site pipelines', () => {
  it("GitHub/Gitea: GitHub's workflow parser accepts the workflow; the job runs in the pinned labctl image", async () => {
    const { gh, gl } = await rendered(EXAMPLE);
    const result = parse(gh);
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const wf = await wp.convertWorkflowTemplate(result.context, result.value!);
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(wf.jobs).toHaveLength(1);
    const job = wf.jobs[0] as any;
    expect(job.id.toString()).toBe('labs');
    const image = `harbor.lab.example.edu/platform/labctl:${packageVersion()}`;
    expect(gh).toContain(`image: ${image}`);
    expect(job.container.find('image')?.toString()).toBe(image);
    const runs = job.steps.filter((s: any) => s.run).map((s: any) => s.run.toString());
    expect(runs).toEqual([
      'labctl version',
      'labctl labs validate -i "$LABCTL_INVENTORY" --labs labs',
      'labctl labs capacity -i "$LABCTL_INVENTORY" --labs labs',
      'labctl render -i "$LABCTL_INVENTORY" -o . --check',
    ]);
    for (const text of [gh, gl]) {
      expect(text).not.toMatch(/git clone|npm (ci|install)|node:20/);
      expect(text).toContain(`labctl:${packageVersion()}`);
    }
  });

  // Attacker trial: the GitLab file said a merge request can print its pull credential, the GitHub one did not.
  it('a private Harbor project: both pipelines say a change request can print the pull credential, so pull access only', async () => {
    const { gh, gl } = await rendered(EXAMPLE);
    expect(gh).toContain('HARBOR_PASSWORD');
    expect(gh).toContain('can change this file in a pull request and print those secrets');
    expect(gl).toContain('DOCKER_AUTH_CONFIG');
    expect(gl).toContain('can change this file and print that variable');
    for (const text of [gh, gl]) expect(text).toMatch(/give the robot pull access to\s+#?\s*\S+ and nothing else/);
  });

  it('a public Harbor project needs no pull credentials', async () => {
    const inv = join(tmp('public'), 'inventory.yaml');
    const text = readFileSync(EXAMPLE, 'utf8').replace(
      '{name: platform, public: false}',
      '{name: platform, public: true}',
    );
    expect(text).not.toBe(readFileSync(EXAMPLE, 'utf8'));
    writeFileSync(inv, text);
    const { gh } = await rendered(inv);
    expect(parse(gh).context.errors.getErrors()).toEqual([]);
    expect(gh).not.toContain('credentials');
    expect(gh).not.toContain('HARBOR_PASSWORD');
  });

  it('the parser can fail: a workflow whose container has an unknown key is rejected', async () => {
    const { gh } = await rendered(EXAMPLE);
    const broken = gh.replace('    container:\n', '    container:\n      imagee: x\n');
    expect(broken).not.toBe(gh);
    expect(
      parse(broken)
        .context.errors.getErrors()
        .map((e) => e.message)
        .join('\n'),
    ).toMatch(/imagee/);
  });
});
