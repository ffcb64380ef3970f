// Fetches a base cloud image into the cache and proves it matches the definition's sha256 before
// anything uses it. Cache layout (under cacheDir):
//   partial/<sha256>.part   bytes received so far (resumed with an HTTP Range request)
//   sha256/<sha256>         a complete file whose hash was checked; only ever created by rename
// A file under sha256/ is hashed again before each use, so a corrupted cache is never trusted.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitError, Problem, type Diagnostic } from '../core/diagnostics.ts';
import type { CatalogImage } from './catalog.ts';

export interface FetchOptions {
  cacheDir: string;
  /** Abort when no byte arrives for this long. Default 60 s. */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface FetchResult {
  file: string;
  sha256: string;
  bytes: number;
  downloaded: number;
  cached: boolean;
  resumedFrom: number;
}

export const verifiedPath = (cacheDir: string, sha: string) => join(cacheDir, 'sha256', sha);
export const partialPath = (cacheDir: string, sha: string) => join(cacheDir, 'partial', `${sha}.part`);

/** sha256 of a file, streamed. */
export async function sha256File(file: string, h = createHash('sha256')): Promise<string> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The verified base image of `img` (downloading or resuming it when needed). */
export async function fetchBaseImage(img: CatalogImage, opts: FetchOptions): Promise<FetchResult> {
  const { url, sha256: want } = img.definition.base;
  const log = opts.log ?? (() => {});
  const at = (path: string[], message: string): Diagnostic => ({
    severity: 'error',
    file: img.source.file,
    ...img.source.locate(path),
    path: path.join('.'),
    message,
  });
  const done = verifiedPath(opts.cacheDir, want);
  const part = partialPath(opts.cacheDir, want);
  mkdirSync(join(opts.cacheDir, 'sha256'), { recursive: true });
  mkdirSync(join(opts.cacheDir, 'partial'), { recursive: true });

  if (existsSync(done)) {
    const got = await sha256File(done);
    if (got === want)
      return { file: done, sha256: got, bytes: statSync(done).size, downloaded: 0, cached: true, resumedFrom: 0 };
    // Someone changed the cached file: drop it and download again rather than trust it.
    log(`cached ${done} no longer matches its checksum (got ${got}); downloading again`);
    rmSync(done, { force: true });
  }

  const hash = createHash('sha256');
  let have = existsSync(part) ? statSync(part).size : 0;
  let downloaded = 0;
  let resumedFrom = 0;
  if (url.startsWith('file://')) {
    const src = fileURLToPath(url);
    if (!existsSync(src) || !statSync(src).isFile()) {
      throw new Problem(`base image not found: ${src} does not exist`, [
        at(['base', 'url'], `base image ${url} not found`),
      ]);
    }
    rmSync(part, { force: true });
    have = 0;
    downloaded = await copyHashing(createReadStream(src, { highWaterMark: 1 << 20 }), part, hash, false);
  } else {
    const ctl = new AbortController();
    const idle = opts.idleTimeoutMs ?? 60_000;
    let timer = setTimeout(() => ctl.abort(), idle);
    const poke = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ctl.abort(), idle);
    };
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          signal: ctl.signal,
          redirect: 'follow',
          headers: have > 0 ? { Range: `bytes=${have}-` } : {},
        });
      } catch (e) {
        throw new Problem(`cannot download ${url}: ${causeOf(e)}`, [
          at(['base', 'url'], `download failed: ${causeOf(e)}`),
        ]);
      }
      if (res.status === 416 && have > 0) {
        // The partial file is already complete (or longer than the file): judge it by its hash below.
        await res.body?.cancel();
        downloaded = 0;
        resumedFrom = have;
        await hashInto(part, hash);
      } else if (res.status === 206 && have > 0 && contentRangeStart(res) === have) {
        resumedFrom = have;
        log(`resuming ${url} at ${(have / 1048576).toFixed(1)} MiB`);
        await hashInto(part, hash);
        downloaded = await copyHashing(bodyChunks(res, poke, log, have), part, hash, true);
      } else if (res.status === 200) {
        if (have > 0) log(`server ignored the range request; downloading ${url} from the start`);
        rmSync(part, { force: true });
        downloaded = await copyHashing(bodyChunks(res, poke, log, 0), part, hash, false);
      } else {
        await res.body?.cancel();
        const what = res.status === 404 ? 'base image not found (HTTP 404)' : `HTTP ${res.status} ${res.statusText}`;
        throw new Problem(`cannot download ${url}: ${what}`, [at(['base', 'url'], `${what} from ${url}`)]);
      }
    } catch (e) {
      if (e instanceof ExitError) throw e;
      // Keep what arrived: the next run resumes from there (its hash is checked before any use).
      const why = ctl.signal.aborted ? `no data for ${Math.round(idle / 1000)} s` : causeOf(e);
      throw new Problem(`download of ${url} interrupted: ${why}; run the build again to resume`);
    } finally {
      clearTimeout(timer);
    }
  }

  const got = hash.digest('hex');
  const bytes = statSync(part).size;
  if (got !== want) {
    // Never keep bytes that failed verification: a resumed download of them could never match.
    rmSync(part, { force: true });
    throw new Problem(`checksum mismatch for ${url}: nothing was kept`, [
      at(
        ['base', 'sha256'],
        `checksum mismatch: the downloaded file (${bytes} bytes) has sha256 ${got}, expected ${want}. If upstream rebuilt the file, take the new line from its SHA256SUMS and bump version`,
      ),
    ]);
  }
  renameSync(part, done);
  return { file: done, sha256: got, bytes, downloaded, cached: false, resumedFrom };
}

/** The response body, keeping the idle timer alive and printing progress every 5 s (a cloud image is ~600 MB). */
async function* bodyChunks(
  res: Response,
  poke: () => void,
  log: (line: string) => void,
  from: number,
): AsyncGenerator<Uint8Array> {
  if (!res.body) return;
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? from + length : undefined;
  const mib = (n: number) => (n / 1048576).toFixed(0);
  let got = from;
  let last = Date.now();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    poke();
    got += chunk.length;
    if (Date.now() - last >= 5000) {
      last = Date.now();
      log(`downloading: ${mib(got)}${total ? ` of ${mib(total)} MiB (${Math.floor((got / total) * 100)}%)` : ' MiB'}`);
    }
    yield chunk;
  }
}

async function hashInto(file: string, hash: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

async function copyHashing(
  src: AsyncIterable<Uint8Array | Buffer | string>,
  dest: string,
  hash: ReturnType<typeof createHash>,
  append: boolean,
): Promise<number> {
  const out = createWriteStream(dest, { flags: append ? 'a' : 'w' });
  let n = 0;
  try {
    for await (const chunk of src) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(b);
      n += b.length;
      if (!out.write(b)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return n;
}

function contentRangeStart(res: Response): number | undefined {
  const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
  return m ? Number(m[1]) : undefined;
}

function causeOf(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
