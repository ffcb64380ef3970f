import { obj, str, int, list, label, oneOf, secretRef, hhmm, weekday, num, type Schema } from './dsl.ts';

export const RECEIVER_TYPES = ['email', 'webhook', 'slack', 'msteams', 'matrix', 'ntfy'] as const;
const login = str('A login name.', { pattern: '^[a-z0-9][-a-z0-9_.]*$' });
const localDateTime = str('A local date-time in the site time zone, YYYY-MM-DDTHH:MM.', { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$' });
const duration = (d: string) => str(d, { pattern: '^[0-9]+(h|d|w|y)$' });

export const monitoring: Schema = obj('Prometheus, Loki, Grafana, Alertmanager and the on-call rotation.', {
  retention: duration('How long Prometheus keeps metrics. Default: 15d'),
  logRetention: duration('How long Loki keeps logs. Default: 14d'),
  receivers: list('Alert receivers by name.', obj('A receiver.', {
    name: label('Receiver name.'),
    type: oneOf('Receiver type.', RECEIVER_TYPES),
    to: str('Email address (type email).', { pattern: '^[^@\\s]+@[^@\\s]+$' }),
    urlRef: secretRef('Webhook URL (it carries a token).'),
  }, ['name', 'type'])),
  smtp: obj('SMTP relay for email receivers.', {
    smarthost: str('host:port of the relay.', { pattern: '^[^:\\s]+:[0-9]{1,5}$' }),
    from: str('Sender address.', { pattern: '^[^@\\s]+@[^@\\s]+$' }),
    username: str('SMTP user name.', { minLength: 1 }),
    passwordRef: secretRef('SMTP password.'),
  }, ['smarthost', 'from']),
  teamReceiver: label('Receiver for warnings during working hours. Default: none'),
  workingHours: obj('Working hours in the site time zone. Default: monday-friday 08:00-18:00', {
    days: list('Working days.', weekday('A weekday.'), { minItems: 1, uniqueItems: true }),
    start: hhmm('Start, HH:MM.'),
    end: hhmm('End, HH:MM.'),
  }, ['days', 'start', 'end']),
  labHours: obj('Lab hours in the site time zone: alerts about students\' lab VMs are sent only then. Default: the working hours', {
    days: list('Lab days.', weekday('A weekday.'), { minItems: 1, uniqueItems: true }),
    start: hhmm('Start, HH:MM.'),
    end: hhmm('End, HH:MM.'),
  }, ['days', 'start', 'end']),
  heartbeatUrlRef: secretRef('Dead man\'s switch URL the Watchdog alert is sent to.'),
  oncall: obj('The on-call rotation paged for critical alerts.', {
    roster: list('People of the rotation.', obj('A person.', {
      name: login,
      email: str('Email address.', { pattern: '^[^@\\s]+@[^@\\s]+$' }),
      pageUrlRef: secretRef('Webhook or ntfy URL that pages this person.'),
    }, ['name']), { minItems: 1 }),
    rotation: obj('The weekly rotation.', {
      start: str('Date of the first hand-over, YYYY-MM-DD.', { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
      handoverDay: weekday('Weekday of the hand-over. Default: monday'),
      handoverTime: hhmm('Local time of the hand-over. Default: 09:00'),
      order: list('Order of the rotation (roster names). Default: the roster order', login, { minItems: 1 }),
    }, ['start']),
    renderUntil: str('Last day (YYYY-MM-DD) of the rotation rendered into Alertmanager time intervals; after it critical alerts page the whole roster until the site is re-rendered with a later date. Default: 52 weeks after rotation.start', { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
    escalateAfterMinutes: int('Minutes before the secondary is paged too. Default: 15', { minimum: 1, maximum: 1440 }),
    overrides: list('Holiday and swap overrides.', obj('An override.', {
      from: localDateTime, to: localDateTime, person: login,
      reason: str('Why.', {}),
    }, ['from', 'to', 'person'])),
  }, ['roster', 'rotation']),
  maintenanceWindows: list('Weekly windows during which alerts are muted.', obj('A window.', {
    name: label('Window name.'),
    weekdays: list('Weekdays.', weekday('A weekday.'), { minItems: 1, uniqueItems: true }),
    start: hhmm('Start, HH:MM.'),
    end: hhmm('End, HH:MM.'),
  }, ['name', 'weekdays', 'start', 'end'])),
});
void num;

export const labs: Schema = obj('VM labs of courses.', {
  path: str('Folder of the site repository holding lab templates. Default: labs', { pattern: '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$' }),
  overcommit: obj('Overcommit allowed on VM hosts. Default: cpu 4, memory 1.0', {
    cpu: num('CPU overcommit ratio.', { minimum: 1, maximum: 16 }),
    memory: num('Memory overcommit ratio.', { minimum: 1, maximum: 2 }),
  }),
  vmHost: obj('Machine size of a vm-host node that does not give its own cpu/memory, for labs capacity.', {
    cpu: int('CPU threads.', { minimum: 1, maximum: 4096 }),
    memory: str('Memory. Example: 256Gi', { pattern: '^[1-9][0-9]*(Gi|Ti)$' }),
  }, ['cpu', 'memory']),
  courses: list('Courses; each lab of a course gets a namespace course-<name>-<lab>.', obj('A course.', {
    name: label('Course id.'),
    title: str('Course title.', { minLength: 1 }),
    staff: list('Login names of the course staff.', login, { uniqueItems: true }),
  }, ['name'])),
});
