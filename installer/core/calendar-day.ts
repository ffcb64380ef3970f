// Dates the schemas take as YYYY-MM-DD with any day 01-31 (the on-call dates with any month too): whether the
// day exists is checked here, once for lab terms and the on-call dates alike (2027-02-30 passed, and was then
// read as a day of March).

/** Why `d`, written YYYY-MM-DD, is no day of the calendar, or undefined when it is one or not of that form. */
export function notACalendarDay(d: unknown): string | undefined {
  const m = typeof d === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(d) : null;
  if (!m) return undefined;
  const [year, month, day] = [+m[1]!, +m[2]!, +m[3]!];
  if (month < 1 || month > 12) return `"${d}" is not a day of the calendar: there is no month ${m[2]}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day >= 1 && day <= days ? undefined : `"${d}" is not a day of the calendar: ${m[1]}-${m[2]} has ${days} days`;
}
