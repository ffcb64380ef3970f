// JSON Schema of a lab template (labs/<course>/<lab>.yaml) and of a course roster
// (labs/<course>/roster.yaml), both in the site repository. Emitted to installer/labs/lab.schema.json
// and roster.schema.json (`npm run schema`) and copied into the rendered repository for editors.
// The same files are the values of charts/vm-lab, so every key here is read by the chart.
import { obj, str, int, bool, list, oneOf, label, cidr4, hhmm, weekday, type Schema } from '../inventory/schema/dsl.ts';
import { DISK_PATTERN, MEMORY_PATTERN, SIZE_CLASSES, SIZE_NAMES } from './sizes.ts';

// Bounds on what one course file may ask for. They keep an absurd value (a million students, a
// 10^20 GiB disk, a megabyte of cloud-init) out of the chart's arithmetic and the API server even when
// CI is skipped: helm checks them too (charts/vm-lab/values.schema.json).
export const LIMITS = {
  students: 1000,
  sshKeys: 20,
  sshKeyLength: 8192,
  cidrs: 50,
  hours: 50,
  packages: 200,
  files: 50,
  fileContent: 65536,
  runcmd: 100,
  runcmdLength: 4096,
  quantityLength: 8,
  /** Bytes of cloudInit files (path + content), runcmd and packages: they go into every VM's user-data Secret. */
  cloudInitBytes: 256 * 1024,
  /** Bytes of every student's user-data together (the additions, the login and its keys, per student). */
  labUserDataBytes: 32 * 1024 * 1024,
} as const;

export const LOGIN_PATTERN = '^[a-z0-9][-a-z0-9_.]*$';
export const DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
export const SSH_KEY_PATTERN =
  '^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com) [A-Za-z0-9+/=]+( .*)?$';
export const PERSISTENCE = ['persistent', 'ephemeral'] as const;
export const ISOLATION = ['student', 'lab'] as const;

const login = (d: string) => str(d, { pattern: LOGIN_PATTERN, maxLength: 50 });
const sshKey = str('An OpenSSH public key line (ssh-ed25519 AAAA... comment). Public keys only; never a private key.', {
  pattern: SSH_KEY_PATTERN,
  maxLength: LIMITS.sshKeyLength,
});
const date = (d: string) => str(d, { pattern: DATE_PATTERN });

// if/then/else rather than oneOf: ajv then reports only the branch that applies, so a typo in a
// student mapping reads "unknown key" instead of "must match exactly one schema".
const student: Schema = {
  description: 'A student: the login name (as in Keycloak), or the login name with SSH public keys.',
  if: { type: 'string' },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
  then: login("The student's login name; the VM gets a user of that name."),
  else: obj(
    'A student with SSH public keys for their VM.',
    {
      name: login("The student's login name; the VM gets a user of that name."),
      sshKeys: list("SSH public keys authorised for the student's user.", sshKey, {
        uniqueItems: true,
        maxItems: LIMITS.sshKeys,
      }),
    },
    ['name'],
  ),
};

export const studentsList = list(
  'The students: one VM each. Inline here, or in the course roster labs/<course>/roster.yaml (used when this key is absent).',
  student,
  { maxItems: LIMITS.students },
);
const keycloakGroup = label("Keycloak group of the course's students. Default: course-<course>-students");

export const labSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://campus-lab-platform.dev/schemas/lab.schema.json',
  title: 'labctl lab template',
  ...obj(
    'A lab of a course: one VM per student, booted from an image of the catalog. The file is labs/<course>/<lab>.yaml in the site repository; after merge ArgoCD creates the VMs.',
    {
      apiVersion: int('Version of the lab file format. Only 1 exists.', { const: 1 }),
      title: str('Title shown to staff and students, one line. Example: Firewalls and NAT', {
        minLength: 1,
        maxLength: 120,
        pattern: '^[^\\x00-\\x1f\\x7f]+$',
      }),
      course: label(
        'Course id; must equal the folder name (labs/<course>/) and be a course of the inventory (labs.courses).',
      ),
      image: str('Image the VMs boot from: a name in the image catalog (images/<name>/). Example: ubuntu-24.04', {
        pattern: '^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$',
      }),
      size: oneOf(
        `Named size class: ${SIZE_NAMES.map((n) => `${n} (${SIZE_CLASSES[n]!.description.split(':')[0]})`).join(', ')}. Give either size or cpu and memory.`,
        SIZE_NAMES,
      ),
      cpu: int('Virtual CPUs per VM (instead of size).', { minimum: 1, maximum: 64 }),
      memory: str('Guest memory per VM (instead of size). Example: 4Gi', {
        pattern: MEMORY_PATTERN,
        maxLength: LIMITS.quantityLength,
      }),
      disk: str("Root disk per VM. Default: the size class's disk, or 20Gi", {
        pattern: DISK_PATTERN,
        maxLength: LIMITS.quantityLength,
      }),
      persistence: oneOf(
        'persistent: each student keeps their disk across stops (one cloned disk per student). ephemeral: the disk is reset at every stop (all VMs share one read-only golden disk). Default: persistent',
        PERSISTENCE,
      ),
      students: studentsList,
      keycloakGroup,
      staffGroup: label(
        'Keycloak group of the course staff; it may manage every VM of the lab. Default: course-<course>-staff',
      ),
      access: obj('How students reach their VM.', {
        ssh: bool('SSH into the VM (virtctl ssh through the API server, and directly from sshFrom). Default: true'),
        sshFrom: list(
          "Networks allowed to open SSH (TCP 22) to the VMs directly. Today nothing routes campus traffic to a VM's pod address, so this only opens the lab's NetworkPolicy; `labs validate` warns. Never the cluster's own networks. Default: [] (only through virtctl)",
          cidr4('An IPv4 CIDR.'),
          { maxItems: LIMITS.cidrs },
        ),
        console: bool('Serial console of their own VM (virtctl console). Default: true'),
        vnc: bool('Graphical VNC console of their own VM (virtctl vnc). Default: false'),
        sudo: bool("The student's user may use sudo without a password. Default: true"),
      }),
      network: obj("What the VMs may reach. Students never reach each other's VMs unless isolation is lab.", {
        isolation: oneOf(
          'student: no VM may reach another VM. lab: VMs of this lab may reach each other (group work). Default: student',
          ISOLATION,
        ),
        internet: bool(
          "Outbound access to the internet (never to the cluster, the nodes, other labs or the campus networks of the inventory's labs.protectedCidrs). Default: false",
        ),
        allowEgress: list(
          "Extra destinations the VMs may reach, e.g. a campus package mirror. Never the cluster's own networks (nodes, pods, services, LoadBalancer pools, API VIP): those are refused, and excepted from every egress rule whatever the lab says.",
          obj(
            'A destination.',
            {
              cidr: cidr4('Destination network.'),
              ports: list('TCP ports. Default: all', int('A port.', { minimum: 1, maximum: 65535 }), {
                uniqueItems: true,
                maxItems: LIMITS.cidrs,
              }),
            },
            ['cidr'],
          ),
          { maxItems: LIMITS.cidrs },
        ),
      }),
      schedule: obj(
        'When the lab runs. Without a schedule the VMs run all the time.',
        {
          start: date('First day of the term (YYYY-MM-DD); VMs are not started before.'),
          end: date('Last day of the term (YYYY-MM-DD); VMs are not started after.'),
          hours: list(
            'Lab hours in the site time zone: every VM is started at the start and stopped at the end of each window.',
            obj(
              'A weekly window.',
              {
                days: list('Weekdays.', weekday('A weekday.'), { minItems: 1, uniqueItems: true }),
                start: hhmm('Start, HH:MM.'),
                end: hhmm('End, HH:MM, later the same day.'),
              },
              ['days', 'start', 'end'],
            ),
            { minItems: 1, maxItems: LIMITS.hours },
          ),
        },
        ['start', 'end', 'hours'],
      ),
      cloudInit: obj("Additions to the VM's cloud-init on top of the student's user.", {
        packages: list(
          'Packages installed at first boot.',
          str('A package name.', { pattern: '^[A-Za-z0-9][A-Za-z0-9+._:=-]*$', maxLength: 200 }),
          { uniqueItems: true, maxItems: LIMITS.packages },
        ),
        files: list(
          'Files written at first boot.',
          obj(
            'A file.',
            {
              path: str('Absolute path in the guest.', { pattern: '^/\\S+$', maxLength: 4096 }),
              content: str('File content.', { maxLength: LIMITS.fileContent }),
              permissions: str('Octal mode. Default: 0644', { pattern: '^0[0-7]{3}$' }),
              owner: str('owner:group. Default: root:root', { pattern: '^[a-z_][-a-z0-9_]*:[a-z_][-a-z0-9_]*$' }),
            },
            ['path', 'content'],
          ),
          { maxItems: LIMITS.files },
        ),
        runcmd: list(
          'Commands run once at the end of first boot (sh -c).',
          str('A command line.', { minLength: 1, maxLength: LIMITS.runcmdLength }),
          { maxItems: LIMITS.runcmd },
        ),
      }),
    },
    ['apiVersion', 'title', 'course', 'image'],
  ),
};

export const rosterSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://campus-lab-platform.dev/schemas/roster.schema.json',
  title: 'labctl course roster',
  ...obj(
    'The students of a course (labs/<course>/roster.yaml), used by every lab of the course that lists no students itself.',
    {
      students: studentsList,
      keycloakGroup,
    },
    ['students'],
  ),
};

// The values of charts/vm-lab: a lab file merged over the course roster, plus `site` and `sizes`, which
// the labctl-rendered ApplicationSet sets (valuesObject, which wins over both files). Emitted to
// charts/vm-lab/values.schema.json so helm refuses bad values on its own, the day CI is skipped.
// Draft-07 and RE2-safe patterns: Helm 3.17 (ArgoCD 3.4) validates with gojsonschema (draft 4-7),
// Helm 4 with santhosh-tekuri/jsonschema (draft 4 to 2020-12); both accept draft-07.
const sizeClass = obj(
  'A size class: what instance type lab-<size> gives.',
  {
    cpu: int('vCPUs.', { minimum: 1, maximum: 64 }),
    memory: str('Guest memory.', { pattern: MEMORY_PATTERN, maxLength: LIMITS.quantityLength }),
    disk: str('Default root disk.', { pattern: DISK_PATTERN, maxLength: LIMITS.quantityLength }),
  },
  ['cpu', 'memory', 'disk'],
);

export const chartSiteSchema: Schema = obj(
  'Platform values. Set by the labctl-rendered ApplicationSet from the inventory (valuesObject, which overrides any lab file or roster); never written by course staff.',
  {
    timezone: str('IANA time zone of lab hours.', { pattern: '^[A-Za-z][A-Za-z0-9_+/-]*$', maxLength: 64 }),
    usernamePrefix: str('Prefix kube-apiserver puts before OIDC user names.', { pattern: '^[a-z]+:$', maxLength: 16 }),
    groupPrefix: str('Prefix kube-apiserver puts before OIDC group names.', { pattern: '^[a-z]+:$', maxLength: 16 }),
    staffGroupPattern: str('Keycloak staff group of a course, %s = course.', {
      pattern: '^[a-z0-9-]*%s[a-z0-9-]*$',
      maxLength: 40,
    }),
    storageClass: label('StorageClass of lab disks.'),
    imagesNamespace: label("Namespace of the golden images' DataSources."),
    kubectlImage: str('Image with sh and kubectl for the lab-hours CronJobs.', {
      pattern: '^[a-z0-9][a-z0-9./:_@-]*$',
      maxLength: 255,
    }),
    vmHostLabel: str('Node label (value "true") of VM hosts; every lab VM is kept to them.', {
      pattern: '^[a-z0-9.-]+/[a-z0-9-]+$',
      maxLength: 63,
    }),
    vmPriorityClass: label('PriorityClass of lab VMs: below every platform pod.'),
    cpuAllocationRatio: int('KubeVirt cpuAllocationRatio.', { minimum: 1, maximum: 100 }),
    memoryOvercommitPercent: int('KubeVirt memoryOvercommit (percent).', { minimum: 10, maximum: 1000 }),
    vmMemoryOverheadMi: int('Memory per VM beyond the guest.', { minimum: 0, maximum: 65536 }),
    defaultDisk: str('Root disk of a lab that names neither size nor disk.', {
      pattern: DISK_PATTERN,
      maxLength: LIMITS.quantityLength,
    }),
    protectedCidrs: list(
      "Never reachable from lab VMs, whatever the lab says: node subnets, pod and service CIDRs, LoadBalancer pools, the API VIP and the platform's fixed addresses. Every egress rule excepts them.",
      cidr4('A CIDR.'),
      { minItems: 1, maxItems: 200 },
    ),
    apiServer: obj(
      'Where the lab-hours jobs reach the Kubernetes API.',
      {
        cidrs: list('Control-plane addresses and the VIP, /32 each.', cidr4('A CIDR.'), { minItems: 1, maxItems: 50 }),
        port: int('API server port.', { minimum: 1, maximum: 65535 }),
      },
      ['cidrs', 'port'],
    ),
  },
  [
    'timezone',
    'usernamePrefix',
    'groupPrefix',
    'staffGroupPattern',
    'storageClass',
    'imagesNamespace',
    'kubectlImage',
    'vmHostLabel',
    'vmPriorityClass',
    'cpuAllocationRatio',
    'memoryOvercommitPercent',
    'vmMemoryOverheadMi',
    'defaultDisk',
    'protectedCidrs',
    'apiServer',
  ],
);

export const chartValuesSchema: Schema = (() => {
  const lab = labSchema as { properties: Record<string, Schema>; required: string[] };
  const { $schema: _s, $id: _i, title: _t, ...body } = labSchema;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'charts/vm-lab values (generated from installer/labs/schema.ts; do not edit)',
    ...body,
    description:
      'A lab file (labs/<course>/<lab>.yaml) merged over its course roster, plus site and sizes from the labctl-rendered ApplicationSet.',
    properties: {
      ...lab.properties,
      ...(rosterSchema as { properties: Record<string, Schema> }).properties,
      site: chartSiteSchema,
      sizes: {
        ...obj(
          'Size classes (installer/labs/sizes.ts), set by the ApplicationSet.',
          Object.fromEntries(SIZE_NAMES.map((n) => [n, sizeClass])),
          SIZE_NAMES,
        ),
      },
    },
    required: [...lab.required, 'students', 'site', 'sizes'],
  };
})();
