import { obj, str, int, num, bool, list, label, opt, dflt, section, login } from './build.ts';

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
