// The one function that makes control characters visible before labctl prints outside text.
import { describe, expect, it } from 'vitest';
import { jsonControls, showControls } from '../../installer/core/show-controls.ts';

/** Every character a terminal or CI log viewer acts on: C0 but tab, DEL, C1, bidi controls. */
const ACTING = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((i) => i !== 0x09),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
  // Invisible: Arabic letter mark, zero-width space/non-joiner/joiner, LRM/RLM, line and paragraph separators,
  // word joiner and invisible operators, BOM (attacker trial: a key with one looked like a valid key).
  0x061c,
  0x200b,
  0x200c,
  0x200d,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  0x2060,
  0x2061,
  0x2062,
  0x2063,
  0x2064,
  0xfeff,
].map((n) => String.fromCodePoint(n));

describe('showControls', () => {
  it('shows each acting character as \\xNN or \\u{NNNN}, nothing of it left raw', () => {
    for (const c of ACTING) {
      const out = showControls(`a${c}b`);
      const n = c.codePointAt(0)!;
      expect(out).toBe(n < 0x100 ? `a\\x${n.toString(16).padStart(2, '0')}b` : `a\\u{${n.toString(16)}}b`);
    }
    expect(showControls(ACTING.join(''))).toMatch(/^[\x20-\x7e]+$/);
  });

  it('an OSC window title, a CSI cursor move and a lone CR mid-line become visible text', () => {
    expect(showControls('k\x1b]0;PWNED\x07')).toBe('k\\x1b]0;PWNED\\x07');
    expect(showControls('ok\x1b[2K\x1b[1Adone')).toBe('ok\\x1b[2K\\x1b[1Adone');
    expect(showControls('progress 10%\rfake: all done')).toBe('progress 10%\\x0dfake: all done');
  });

  it('keeps tab, printable text and other Unicode; newline only when multiline', () => {
    expect(showControls('a\tb é 日本 ✓')).toBe('a\tb é 日本 ✓');
    expect(showControls('one\ntwo')).toBe('one\\x0atwo');
    expect(showControls('one\ntwo\x1b', { multiline: true })).toBe('one\ntwo\\x1b');
  });
});

describe('jsonControls', () => {
  it('writes DEL, C1 and bidi as \\u escapes the JSON reader turns back into the same string', () => {
    const value = { file: 'n\u202eame\x85.yaml', key: 'k\x9b2J\x7f\x1b]0;T\x07', group: 'staff\u200bGroup\ufeff' };
    const text = jsonControls(JSON.stringify(value));
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(text)).toEqual(value);
    // Without it, JSON.stringify leaves these raw (the reason jsonControls exists).
    expect(JSON.stringify(value)).toContain('\u202e');
  });
});
