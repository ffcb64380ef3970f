import { obj, str, int, num, bool, list, label, opt, dflt, section, login, cidr4 } from './build.ts';

export const labs = section(
  obj('VM labs of courses.', {
    path: dflt(
      str('Folder of the site repository holding lab templates.', { pattern: '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$' }),
      'labs',
    ),
    overcommit: section(
      obj('Overcommit allowed on VM hosts.', {
        cpu: dflt(num('CPU overcommit ratio.', { minimum: 1, maximum: 16 }), 4),
        memory: dflt(num('Memory overcommit ratio.', { minimum: 1, maximum: 2 }), 1),
      }),
    ),
    vmHost: opt(
      obj('Machine size of a vm-host node that does not give its own cpu/memory, for labs capacity.', {
        cpu: int('CPU threads.', { minimum: 1, maximum: 4096 }),
        memory: str('Memory. Example: 256Gi', { pattern: '^[1-9][0-9]*(Gi|Ti)$' }),
      }),
    ),
    protectedCidrs: dflt(
      list(
        "Campus networks no lab VM may reach or open SSH from, besides the platform's own (nodes, pods, services, pools, routers, and the backup endpoint and jump host when given as addresses): BMC/IPMI networks, campus services, the S3 store. A lab with internet: true reaches every address not protected. Example: [10.200.0.0/16]",
        cidr4('A campus network (IPv4 CIDR).'),
        { uniqueItems: true },
      ),
      [],
    ),
    courses: dflt(
      list(
        'Courses; each lab of a course gets a namespace course-<name>-<lab>.',
        obj('A course.', {
          name: label('Course id.'),
          title: opt(str('Course title.', { minLength: 1 })),
          staff: opt(list('Login names of the course staff.', login, { uniqueItems: true })),
          backup: dflt(bool("Velero backs up this course's lab namespaces (when the site has backup:)."), true),
        }),
      ),
      [],
    ),
  }),
);
