// Checks user-data with the real `cloud-init schema --config-file` and places its errors at
// FILE:LINE:COL. Limits of cloud-init 22.4 (Debian 12): unknown top-level keys are accepted silently,
// deprecations do not fail, and --annotate crashes on some errors (so we locate paths ourselves).
import type { Diagnostic } from '../core/diagnostics.ts';
import { loadYamlFile, type PathSeg } from '../core/yaml-source.ts';
import { findOnPath, runSync } from './tools.ts';

export interface CloudInitCheck {
  available: boolean;
  version?: string;
  diagnostics: Diagnostic[];
}

export function cloudInitVersion(bin = findOnPath('cloud-init')): string | undefined {
  if (!bin) return undefined;
  const r = runSync(bin, ['--version']);
  return /(\d+\.\d+(\.\d+)?)/.exec(r.stdout + r.stderr)?.[1];
}

/** Splits "Cloud config schema errors: a.b: msg, c.0: msg" into [path, message] pairs. */
export function parseSchemaErrors(text: string): { path: string; message: string }[] {
  const m = /Cloud config schema errors: ([\s\S]*)$/m.exec(text);
  if (!m) return [];
  const body = m[1]!.split('\n')[0]!.trim();
  return body.split(/, (?=[A-Za-z_][\w-]*(?:\.[\w-]+)*: )/).map((item) => {
    const i = item.indexOf(': ');
    return i < 0 ? { path: '', message: item } : { path: item.slice(0, i), message: item.slice(i + 2) };
  });
}

export function checkUserData(file: string, shown = file): CloudInitCheck {
  const bin = findOnPath('cloud-init');
  if (!bin) return { available: false, diagnostics: [] };
  const r = runSync(bin, ['schema', '--config-file', file]);
  const version = cloudInitVersion(bin);
  if (r.code === 0) return { available: true, version, diagnostics: [] };
  const loaded = loadYamlFile(file);
  const errors = parseSchemaErrors(r.stdout + '\n' + r.stderr);
  if (errors.length === 0) {
    const msg = (r.stderr || r.stdout)
      .trim()
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('Cloud config schema deprecations'))
      .slice(-2)
      .join(' ');
    return {
      available: true,
      version,
      diagnostics: [
        {
          severity: 'error',
          file: shown,
          line: 1,
          col: 1,
          path: '',
          message: `cloud-init schema: ${msg || `exit ${r.code}`}`,
        },
      ],
    };
  }
  return {
    available: true,
    version,
    diagnostics: errors.map(({ path, message }) => {
      const segs: PathSeg[] = path ? path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : [];
      const pos = loaded.ok ? loaded.source.locate(segs) : { line: 1, col: 1 };
      return {
        severity: 'error' as const,
        file: shown,
        ...pos,
        path: path.replace(/\.(\d+)(?=\.|$)/g, '[$1]'),
        message: `cloud-init schema: ${message}`,
      };
    }),
  };
}
