// The monitoring component's inventory section, `monitoring` (Prometheus, Loki, Grafana, Alertmanager and
// the on-call rotation), and the rules that concern it alone. A leaf: it imports only the inventory's schema
// builders (and the rule contract, as a type), so the inventory layer reads it through the generated
// inventory/schema/component-sections.ts. The rotation's other checks (inventory/rules/oncall.ts) need
// inventory/rotation.ts and stay there.
import {
  obj,
  str,
  int,
  list,
  label,
  oneOf,
  secretRef,
  hhmm,
  weekday,
  opt,
  dflt,
  section,
  login,
} from '../../../inventory/schema/build.ts';
import { componentSection } from '../../../inventory/schema/component-section.ts';
import type { Rule } from '../../../inventory/rules/context.ts';

const monitoringReceivers: Rule = (ctx) => {
  const mon = ctx.site.monitoring;
  mon.receivers.forEach((r, i) => {
    if (r.type === 'email' && !r.to) ctx.error(['monitoring', 'receivers', i], `email receiver ${r.name} needs "to"`);
    if (r.type !== 'email' && !r.urlRef)
      ctx.error(
        ['monitoring', 'receivers', i],
        `${r.type} receiver ${r.name} needs "urlRef" (its URL carries a token, so it lives in the secret store)`,
      );
    if (r.type === 'email' && !mon.smtp)
      ctx.error(
        ['monitoring', 'receivers', i, 'type'],
        `email receiver ${r.name} needs monitoring.smtp (the relay to send through)`,
      );
  });
  if (mon.receivers.length > 0 && !mon.oncall) {
    ctx.error(
      ['monitoring', 'receivers'],
      'receivers are set but monitoring.oncall is missing: critical alerts would reach nobody in particular',
      'add monitoring.oncall with a roster and a rotation',
    );
  }
  const wh = mon.workingHours;
  if (wh.start >= wh.end)
    ctx.error(['monitoring', 'workingHours', 'end'], `working hours end ${wh.end} is not after start ${wh.start}`);
  mon.maintenanceWindows.forEach((w, i) => {
    if (w.start >= w.end)
      ctx.error(
        ['monitoring', 'maintenanceWindows', i, 'end'],
        `maintenance window ${w.name} ends at ${w.end}, not after its start ${w.start}`,
      );
  });
};

const oncallRotation: Rule = (ctx) => {
  const oc = ctx.site.monitoring.oncall;
  if (!oc) return;
  const base = ['monitoring', 'oncall'];
  if (Number.isNaN(Date.parse(`${oc.rotation.start}T00:00:00Z`)))
    ctx.error([...base, 'rotation', 'start'], `${oc.rotation.start} is not a valid date`);
  oc.roster.forEach((p, i) => {
    if (!p.email && !p.pageUrlRef)
      ctx.error(
        [...base, 'roster', i],
        `roster entry ${p.name} has neither email nor pageUrlRef: there is no way to page them`,
      );
  });
  (oc.overrides ?? []).forEach((o, i) => {
    const from = Date.parse(`${o.from}:00Z`),
      to = Date.parse(`${o.to}:00Z`);
    if (Number.isNaN(from)) ctx.error([...base, 'overrides', i, 'from'], `${o.from} is not a valid date-time`);
    else if (Number.isNaN(to)) ctx.error([...base, 'overrides', i, 'to'], `${o.to} is not a valid date-time`);
    else if (to <= from)
      ctx.error([...base, 'overrides', i, 'to'], `override ends at ${o.to}, not after its start ${o.from}`);
  });
};

export const RECEIVER_TYPES = ['email', 'webhook', 'slack', 'msteams', 'matrix', 'ntfy'] as const;
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

export const inventory = componentSection({
  key: 'monitoring',
  after: 'storage',
  schema: section(
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
  ),
  rules: { monitoringReceivers, oncallRotation },
});
