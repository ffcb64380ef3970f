// The journal of `labctl up`: which step finished on which host, with the hash of the step's inputs.
// Written atomically after every finished step (temp file, fsync, rename, fsync of the directory), so a
// crash leaves either the old or the new journal, never a truncated one. It holds no secrets: a step's
// inputs hash covers its script, in which secrets are only placeholders.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { isAbsolute, join } from 'node:path';
import { homedir } from 'node:os';
import { Problem } from '../core/diagnostics.ts';
import { takePidLock } from '../core/pid-lock.ts';

/**
 * Where labctl keeps a site's local state (journal, admin kubeconfig, logs, pinned SSH host keys):
 * $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-$HOME/.local/state}/labctl/<site>. Never inside the
 * site repository, which is pushed to Git (--state-dir overrides it per command).
 */
export function defaultStateDir(site: string | { site: { name: string } }): string {
  const name = typeof site === 'string' ? site : site.site.name;
  const env = process.env.LABCTL_STATE_DIR;
  if (env) return env;
  const xdg = process.env.XDG_STATE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state'), 'labctl', name);
}

export interface StepRecord {
  inputs: string;
  finishedAt: string;
  durationMs: number;
}
/**
 * hostKeys: the SSH host key fingerprint each host showed when its steps ran. The journal belongs to that
 * identity: a host showing another key (a reinstalled server, re-trusted with `labctl hosts trust`) has
 * its steps run again. Journals written before this field existed simply have none yet.
 */
export interface JournalData {
  version: 1;
  site: string;
  hosts: Record<string, Record<string, StepRecord>>;
  hostKeys?: Record<string, string>;
}

export class Journal {
  private data: JournalData;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    data: JournalData,
  ) {
    this.data = data;
  }

  /** Opens (or starts) the journal of a site; a journal of another site in the same place is refused. */
  static open(file: string, site: string): Journal {
    if (!existsSync(file)) return new Journal(file, { version: 1, site, hosts: {} });
    let data: JournalData;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as JournalData;
    } catch (e) {
      throw new Problem(`${file}: not a readable labctl journal (${(e as Error).message}); move it away to start over`);
    }
    if (data.version !== 1 || typeof data.hosts !== 'object') throw new Problem(`${file}: unknown journal format`);
    if (data.site !== site)
      throw new Problem(`${file}: journal of site "${data.site}", not "${site}"; use another --state-dir`);
    return new Journal(file, data);
  }

  finished(node: string, step: string, inputs: string): boolean {
    return this.data.hosts[node]?.[step]?.inputs === inputs;
  }

  record(node: string, step: string): StepRecord | undefined {
    return this.data.hosts[node]?.[step];
  }

  /** Steps recorded as finished on a node. */
  steps(node: string): string[] {
    return Object.keys(this.data.hosts[node] ?? {});
  }

  /** The host key fingerprint the node showed when its recorded steps ran. */
  hostKey(node: string): string | undefined {
    return this.data.hostKeys?.[node];
  }

  snapshot(): JournalData {
    return JSON.parse(JSON.stringify(this.data)) as JournalData;
  }

  /** Records a finished step (and the host key it ran under) and persists; writes are serialized. */
  markDone(node: string, step: string, inputs: string, durationMs: number, hostKey?: string): Promise<void> {
    (this.data.hosts[node] ??= {})[step] = { inputs, finishedAt: new Date().toISOString(), durationMs };
    if (hostKey) (this.data.hostKeys ??= {})[node] = hostKey;
    return this.persist();
  }

  /** Forgets steps of a node: the next `up` runs them again. Without a filter, also its host identity (reset). */
  forget(node: string, steps?: (id: string) => boolean): Promise<void> {
    const h = this.data.hosts[node];
    if (h) for (const id of Object.keys(h)) if (!steps || steps(id)) delete h[id];
    if (!steps && this.data.hostKeys) delete this.data.hostKeys[node];
    return this.persist();
  }

  private persist(): Promise<void> {
    const text = JSON.stringify(this.data, null, 2) + '\n';
    this.writing = this.writing.then(() => writeAtomic(this.file, text));
    return this.writing;
  }
}

/** Journal, kubeconfig and seed values: private (0600) and durable, the journal must never be truncated. */
export const writeAtomic = (file: string, text: string): void =>
  writeFileAtomic(file, text, { mode: 0o600, durable: true });

/** One `up`/`reset` at a time per state directory: an exclusive lock file holding the pid. */
export function lockStateDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  return takePidLock(join(dir, 'lock'), { waitMs: 0, what: dir });
}
