// Text from outside labctl (a lab file's key or file name, a node's command output or hostname) may hold
// terminal control sequences: ESC ] 0 ; retitles the window, ESC [ moves the cursor, a lone CR overwrites
// the line, a bidi override reorders what is shown. Everything labctl prints from such text goes through
// showControls first, so each of these characters is shown as a visible escape instead of acting.

/**
 * C0 (but tab), DEL, C1, the bidi embeddings/overrides/isolates and marks, the line and paragraph separators, and
 * the invisible ones (zero-width space/joiners, word joiner, BOM): a key `staff\u{200b}Group` must not look like
 * `staffGroup` in an "unknown key" message (attacker trial).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job.
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, newline kept.
const CONTROLS_KEEP_NEWLINE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const hex = (c: string): string => {
  const n = c.codePointAt(0)!;
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
};

/**
 * The text with every control character made visible: `\x1b`, `\x0d`, `\x85`, `\u{202e}`. Tab stays;
 * newline stays only with `multiline` (messages that are several lines by design).
 */
export function showControls(text: string, opts: { multiline?: boolean } = {}): string {
  return text.replace(opts.multiline ? CONTROLS_KEEP_NEWLINE : CONTROLS, hex);
}

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1, bidi) written as \u escapes: the
 * same string for a JSON reader, nothing that acts on a terminal or CI log that shows the bytes.
 */
export function jsonControls(json: string): string {
  return json.replace(
    /[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
