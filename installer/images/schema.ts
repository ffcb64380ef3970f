// JSON Schema of a lab VM image definition (images/<name>/image.yaml). Emitted to
// installer/images/image.schema.json for editors (`npm run schema`); a test fails when that file is stale.
import { obj, str, int, list, oneOf, type Schema } from '../inventory/schema/dsl.ts';

/** OCI tag grammar (distribution/reference): what a version may look like, since it becomes the tag. */
export const OCI_TAG = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
/** Valid as a Harbor repository name and as a Kubernetes object name (DataSource, DataImportCron). */
export const IMAGE_NAME = '^[a-z0-9]+([.-][a-z0-9]+)*$';
export const SHA256_HEX = '^[0-9a-f]{64}$';
export const OS_FAMILIES = ['ubuntu', 'debian', 'fedora', 'centos-stream', 'rocky', 'almalinux', 'opensuse'] as const;
export const ARCHITECTURES = ['amd64', 'arm64'] as const;

const step: Schema = obj(
  'One offline build step run by virt-customize (libguestfs) on a copy of the base image: exactly one of install, run, write.',
  {
    install: list(
      "Install packages with the guest's package manager (virt-customize --install).",
      str('A package name.', { pattern: '^[A-Za-z0-9][A-Za-z0-9+._:-]*$' }),
      { minItems: 1, uniqueItems: true },
    ),
    run: str('Run a command line with /bin/sh inside the guest (virt-customize --run-command).', { minLength: 1 }),
    write: obj(
      'Write a file into the guest (virt-customize --write).',
      {
        path: str('Absolute path in the guest.', { pattern: '^/[^:]*$' }),
        content: str('The file content.'),
      },
      ['path', 'content'],
    ),
  },
  [],
  { minProperties: 1, maxProperties: 1 },
);

export const imageSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://campus-lab-platform.invalid/schemas/image.schema.json',
  title: 'Lab VM image definition',
  ...obj(
    'A golden image labs boot from: a verified upstream cloud image, the cloud-init the course needs, optional offline customisation. labctl images build turns it into a KubeVirt containerDisk, labctl images push sends it to Harbor as <harbor>/labs/<name>:<version>.',
    {
      apiVersion: { const: 1, description: 'Version of this file format. Always 1.' },
      name: str(
        'Image name: the folder name under images/, the repository name in Harbor and the DataSource name labs clone from. Lowercase letters and digits, separated by single "-" or ".".',
        { pattern: IMAGE_NAME, maxLength: 50 },
      ),
      version: str(
        'Version of this image; the tag pushed to Harbor. Bump it for every change (a pushed version is never overwritten).',
        { pattern: OCI_TAG },
      ),
      description: str('What the image is for, shown by labctl images list.', { minLength: 1, maxLength: 500 }),
      os: obj(
        'Guest operating system.',
        {
          family: oneOf(
            "OS family (decides the package manager virt-customize uses and the lab's VM preference).",
            OS_FAMILIES,
          ),
          release: str('Release, e.g. 24.04.', { minLength: 1, maxLength: 32 }),
        },
        ['family', 'release'],
      ),
      architecture: oneOf('CPU architecture of the image. Default: amd64', ARCHITECTURES),
      base: obj(
        'The upstream cloud image the build starts from.',
        {
          url: str(
            'Download URL of the base image (https://, http:// or file://). Pin a dated release, never a moving "current" link.',
            { pattern: '^(https?|file)://\\S+$' },
          ),
          sha256: str(
            "SHA-256 of the file at url, from the publisher's SHA256SUMS. The build refuses a file that does not match.",
            { pattern: SHA256_HEX },
          ),
        },
        ['url', 'sha256'],
      ),
      defaultUser: str('The cloud image\'s default login user (cloud-init "default" user), e.g. ubuntu.', {
        pattern: '^[a-z_][a-z0-9_-]{0,31}$',
      }),
      minDiskGiB: int(
        "Smallest root disk (GiB) a lab may give a VM of this image; at least the image's virtual size.",
        { minimum: 1, maximum: 4096 },
      ),
      userData: str(
        'cloud-init user-data file next to image.yaml, merged into every lab VM at first boot. Default: user-data.yaml',
        { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
      ),
      customize: list(
        'Build-time steps run offline with virt-customize when it is installed (Debian package libguestfs-tools); skipped with a note otherwise. Default: []',
        step,
      ),
    },
    ['apiVersion', 'name', 'version', 'description', 'os', 'base', 'defaultUser', 'minDiskGiB'],
  ),
};
