// `labctl images ...` subcommands; the actions lazy-import ./images.ts (and through it skopeo/qemu code).
import { Option, type Command } from 'commander';
import { inventoryOption, outputOption } from '../options.ts';

export function registerImages(program: Command): void {
  const images = program
    .command('images')
    .description('lab VM images: the catalog in images/, containerDisk builds, pushes to Harbor');
  const dir = () =>
    new Option('--images-dir <dir>', 'image catalog folder (default: $LABCTL_IMAGES_DIR or images/ of this checkout)');
  const load = async () => import('./images.ts');

  images
    .command('list')
    .description('the images of the catalog with versions')
    .addOption(dir())
    .addOption(outputOption())
    .action(async (o) => (await load()).imagesListCommand({ imagesDir: o.imagesDir, output: o.output }));

  images
    .command('validate')
    .description('check image definitions (schema, rules, cloud-init schema of the user-data); exit 0 valid, 1 invalid')
    .argument('[names...]', 'images to check (default: all)')
    .addOption(dir())
    .addOption(outputOption())
    .action(async (names: string[], o) =>
      (await load()).imagesValidateCommand({ names, imagesDir: o.imagesDir, output: o.output }),
    );

  images
    .command('build')
    .description('build NAME into a KubeVirt containerDisk (OCI layout, no container engine needed)')
    .argument('<name>', 'image name (folder under images/)')
    .option('--from <file>', 'use this local qcow2 instead of downloading base.url')
    .option('--out <dir>', 'output folder of the OCI layout (default: .labctl/images/<name>)')
    .option('--cache-dir <dir>', 'download cache (default: $XDG_CACHE_HOME/labctl/images)')
    .option('--skip-customize', 'do not run the customize steps even when virt-customize is installed')
    .addOption(dir())
    .addOption(outputOption())
    .action(async (name: string, o) =>
      (await load()).imagesBuildCommand({
        name,
        from: o.from,
        out: o.out,
        cacheDir: o.cacheDir,
        imagesDir: o.imagesDir,
        skipCustomize: o.skipCustomize,
        output: o.output,
      }),
    );

  images
    .command('push')
    .description('push the build of NAME to Harbor as <registry>/<project>/<name>:<version> (skopeo)')
    .argument('<name>', 'image name')
    .option('--registry <host>', "registry host[:port] (default: Harbor's host name from the inventory)")
    .addOption(inventoryOption())
    .option('--project <name>', 'Harbor project', 'labs')
    .option('--oci-dir <dir>', 'the build output (default: .labctl/images/<name>)')
    .option(
      '--authfile <file>',
      'registry auth file (containers-auth.json); or set LABCTL_REGISTRY_USERNAME and LABCTL_REGISTRY_PASSWORD',
    )
    .option('--no-tls-verify', 'allow plain HTTP / unverified TLS (test registries only)')
    .option('--overwrite', 'replace a version that already exists with another digest')
    .addOption(dir())
    .addOption(outputOption())
    .action(async (name: string, o) =>
      (await load()).imagesPushCommand({
        name,
        registry: o.registry,
        inventory: o.inventory,
        project: o.project,
        ociDir: o.ociDir,
        imagesDir: o.imagesDir,
        authfile: o.authfile,
        tlsVerify: o.tlsVerify,
        overwrite: o.overwrite,
        output: o.output,
      }),
    );
}
