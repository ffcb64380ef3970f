import { obj, str, int, num, bool, list, label, oneOf, secretRef, hhmm, weekday, opt, dflt, section } from './build.ts';

export const RECEIVER_TYPES = ['email', 'webhook', 'slack', 'msteams', 'matrix', 'ntfy'] as const;
const login = str('A login name.', { pattern: '^[a-z0-9][-a-z0-9_.]*$' });
const localDateTime = str('A local date-time in the site time zone, YYYY-MM-DDTHH:MM.', {
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$',
});
const duration = (d: string) => str(d, { pattern: '^[0-9]+(h|d|w|y)$' });
const hours = (what: string, description: string) =>
  obj(description, {
    days: list(`${what} days.`, weekday('A weekday.'), { minItems: 1, uniqueItems: true }),
    start: hhmm('Start, HH:MM.'),
    end: hhmm('End, HH:MM.'),
  });

export const monitoring = section(
  obj('Prometheus, Loki, Grafana, Alertmanager and the on-call rotation.', {
    retention: dflt(duration('How long Prometheus keeps metrics.'), '15d'),
    logRetention: dflt(duration('How long Loki keeps logs.'), '14d'),
    receivers: dflt(
      list(
        'Alert receivers by name.',
        obj('A receiver.', {
          name: label('Receiver name.'),
          type: oneOf('Receiver type.', RECEIVER_TYPES),
          to: opt(str('Email address (type email).', { pattern: '^[^@\\s]+@[^@\\s]+$' })),
          urlRef: opt(secretRef('Webhook URL (it carries a token).')),
        }),
      ),
      [],
    ),
    smtp: opt(
      obj('SMTP relay for email receivers.', {
        smarthost: str('host:port of the relay.', { pattern: '^[^:\\s]+:[0-9]{1,5}$' }),
        from: str('Sender address.', { pattern: '^[^@\\s]+@[^@\\s]+$' }),
        username: opt(str('SMTP user name.', { minLength: 1 })),
        passwordRef: opt(secretRef('SMTP password.')),
      }),
    ),
    teamReceiver: opt(label('Receiver for warnings during working hours. Default: none')),
    workingHours: dflt(hours('Working', 'Working hours in the site time zone.'), {
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '08:00',
      end: '18:00',
    }),
    labHours: opt(
      hours(
        'Lab',
        "Lab hours in the site time zone: alerts about students' lab VMs are sent only then. Default: the working hours",
      ),
    ),
    heartbeatUrlRef: opt(secretRef("Dead man's switch URL the Watchdog alert is sent to.")),
    oncall: opt(
      obj('The on-call rotation paged for critical alerts.', {
        roster: list(
          'People of the rotation.',
          obj('A person.', {
            name: login,
            email: opt(str('Email address.', { pattern: '^[^@\\s]+@[^@\\s]+$' })),
            pageUrlRef: opt(secretRef('Webhook or ntfy URL that pages this person.')),
          }),
          { minItems: 1 },
        ),
        rotation: obj('The weekly rotation.', {
          start: str('Date of the first hand-over, YYYY-MM-DD.', { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
          handoverDay: dflt(weekday('Weekday of the hand-over.'), 'monday'),
          handoverTime: dflt(hhmm('Local time of the hand-over.'), '09:00'),
          order: opt(list('Order of the rotation (roster names). Default: the roster order', login, { minItems: 1 })),
        }),
        renderUntil: opt(
          str(
            'Last day (YYYY-MM-DD) of the rotation rendered into Alertmanager time intervals; after it critical alerts page the whole roster until the site is re-rendered with a later date. Default: 52 weeks after rotation.start',
            { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
          ),
        ),
        escalateAfterMinutes: dflt(
          int('Minutes before the secondary is paged too.', { minimum: 1, maximum: 1440 }),
          15,
        ),
        overrides: opt(
          list(
            'Holiday and swap overrides.',
            obj('An override.', {
              from: localDateTime,
              to: localDateTime,
              person: login,
              reason: opt(str('Why.', {})),
            }),
          ),
        ),
      }),
    ),
    maintenanceWindows: dflt(
      list(
        'Weekly windows during which alerts are muted.',
        obj('A window.', {
          name: label('Window name.'),
          weekdays: list('Weekdays.', weekday('A weekday.'), { minItems: 1, uniqueItems: true }),
          start: hhmm('Start, HH:MM.'),
          end: hhmm('End, HH:MM.'),
        }),
      ),
      [],
    ),
  }),
);

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
