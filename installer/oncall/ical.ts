// iCalendar (RFC 5545) export of the rotation: one event per shift (primary, secondary, overrides),
// through ical-generator. Times are UTC (DTSTART:...Z): RFC 5545 requires a VTIMEZONE for every TZID,
// which ical-generator cannot write without another package; calendar clients show UTC in local time.
// Deterministic: UIDs from the shift, DTSTAMP = the export's window start.
import ical from 'ical-generator';
import type { RotationConfig, Shift } from '../inventory/rotation.ts';

export function rotationCalendar(
  site: { name: string; domain: string },
  cfg: RotationConfig,
  shifts: Shift[],
  stamp: number,
): string {
  const cal = ical({
    name: `On call: ${site.name}`,
    description: `On-call rotation of ${site.name} (labctl)`,
    prodId: { company: 'labctl', product: 'oncall', language: 'EN' },
  });
  for (const s of shifts) {
    cal.createEvent({
      id: `${new Date(s.start).toISOString().replace(/[-:.]/g, '')}-${s.primary}@oncall.${site.domain}`,
      start: new Date(s.start),
      end: new Date(s.end),
      stamp: new Date(stamp),
      summary: `On call: ${s.primary}${s.source === 'override' ? ` (${s.reason ?? 'override'})` : ''}`,
      description: `Primary: ${s.primary}\nSecondary (paged after ${cfg.escalateAfterMinutes} min without acknowledgement): ${s.secondary ?? 'none'}${s.reason ? `\nReason: ${s.reason}` : ''}`,
    });
  }
  return cal.toString();
}
