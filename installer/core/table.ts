// Tables for people (labs list/capacity, images list, backup list): one layout for every listing.
import { showControls } from './show-controls.ts';

/**
 * Columns padded to their widest cell; the last column is not padded and no line ends in spaces. Cells come
 * from course files, the image catalog and the cluster (a lab title may hold C1 controls and bidi overrides
 * its schema pattern lets through): each is shown with its control characters escaped (showControls).
 */
export function table(head: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map((c) => showControls(c)));
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
