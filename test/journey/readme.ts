// The README's journey, as the journey test reads it: every ```sh block preceded by `<!-- journey:ID -->`,
// in order, each with the ```text block that follows it under `<!-- journey-output -->` (what the block's
// last command prints on the terminal: standard error, then standard output).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.ts';

export interface JourneyBlock {
  id: string;
  commands: string[];
  output?: string;
  line: number;
}

/** Every marked block of the text, in order. Throws on a marker not followed by its code block. */
export function journeyBlocks(text: string): JourneyBlock[] {
  const out: JourneyBlock[] = [];
  const marker = /<!-- journey(?::([a-z-]+)|(-output)) -->\n\n?```(sh|text)\n([\s\S]*?)```/g;
  const all = [...text.matchAll(/<!-- journey[^>]*-->/g)];
  const matched = [...text.matchAll(marker)];
  if (all.length !== matched.length) {
    const bad = all.find((m) => !matched.some((x) => x.index === m.index))!;
    throw new Error(
      `README.md:${text.slice(0, bad.index).split('\n').length}: ${bad[0]} is not followed by its code block (\`\`\`sh for journey:ID, \`\`\`text for journey-output)`,
    );
  }
  for (const m of matched) {
    const line = text.slice(0, m.index).split('\n').length;
    if (m[2]) {
      const prev = out[out.length - 1];
      if (m[3] !== 'text' || !prev || prev.output !== undefined)
        throw new Error(`README.md:${line}: journey-output must be a \`\`\`text block after a journey block`);
      prev.output = m[4]!;
    } else {
      if (m[3] !== 'sh') throw new Error(`README.md:${line}: journey:${m[1]} must be a \`\`\`sh block`);
      out.push({ id: m[1]!, line, commands: m[4]!.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')) });
    }
  }
  return out;
}

export const readmeJourney = () => journeyBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
