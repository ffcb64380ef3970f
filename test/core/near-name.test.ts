// The "did you mean" rule (installer/core/near-name.ts) on the names the trials typed; the CLI cases are in
// test/validate.cli.test.ts and test/labs/labs.cli.test.ts.
import { describe, expect, it } from 'vitest';
import { nearName } from '../../installer/core/near-name.ts';

const SITE_KEYS = ['name', 'domain', 'timezone', 'gitRepo', 'gitRevision', 'gitBrowseUrl'];

describe('nearName', () => {
  it.each([
    ['tiemzone', SITE_KEYS, 'timezone'], // two edits of eight
    ['nodse', ['nodes', 'racks'], 'nodes'], // a swapped pair, two edits of five
    ['dmeo', ['demo'], 'demo'], // a swapped pair in four letters
    ['r9', ['r1'], 'r1'], // one edit
    ['Timezone', SITE_KEYS, 'timezone'],
  ])('%s: guesses %s', (typed, names, meant) => expect(nearName(typed, names)).toBe(meant));

  it.each([
    ['zzzzzzzz', SITE_KEYS], // the trial's report: was "timezone"
    ['huge', ['small', 'medium', 'large', 'xlarge']], // was "large"
    ['no-such-image', ['desktop-vnc', 'netlab', 'ubuntu-24.04']], // was "netlab"
    ['algebra', ['netsec', 'os101']], // was "netsec"
    ['ab', ['cd']],
    ['anything', []],
  ])('%s: no guess', (typed, names) => expect(nearName(typed, names)).toBeUndefined());
});
