// What a rule sees and how it reports. Rules are small pure functions over the resolved Site;
// positions come from the YamlSource so every message reads FILE:LINE:COL path: message.
import type { Diagnostic } from '../../core/diagnostics.ts';
import { formatPath } from '../../core/diagnostics.ts';
import type { PathSeg, YamlSource } from '../../core/yaml-source.ts';
import type { Site } from '../types.ts';

export interface RuleContext {
  site: Site;
  source: YamlSource;
  error(path: PathSeg[], message: string, hint?: string): void;
  warn(path: PathSeg[], message: string, hint?: string): void;
  /** "nodes[3] (line 88)": names the other owner in collision messages. */
  owner(path: PathSeg[]): string;
}

export type Rule = (ctx: RuleContext) => void;

export function makeContext(site: Site, source: YamlSource, out: Diagnostic[]): RuleContext {
  const push = (severity: Diagnostic['severity']) => (path: PathSeg[], message: string, hint?: string) => {
    // A default-derived path may not exist in the file: report at the nearest written ancestor.
    const { line, col } = source.locate(path);
    out.push({ severity, file: source.file, line, col, path: formatPath(path), message, ...(hint ? { hint } : {}) });
  };
  return {
    site,
    source,
    error: push('error'),
    warn: push('warning'),
    owner: (path) => `${formatPath(path)} (line ${source.locate(path).line})`,
  };
}

/** Reports every value seen twice in `items`, naming both owners. */
export function unique<T>(
  ctx: RuleContext,
  items: readonly T[],
  key: (t: T) => string | undefined,
  path: (i: number) => PathSeg[],
  what: string,
): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const prev = first.get(k);
    if (prev === undefined) first.set(k, i);
    else ctx.error(path(i), `${what} ${JSON.stringify(k)} is already used by ${ctx.owner(path(prev))}`);
  });
}
