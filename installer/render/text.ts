// Handlebars, for text that is not a Kubernetes object (READMEs, router configs, runbooks, shell steps).
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { repoPath } from '../core/paths.ts';
// strict: a missing variable is an error, not an empty string; noEscape: output is not HTML. bin/build.js
// precompiles the templates with the same file.
import TEMPLATE_OPTIONS from './template-options.json' with { type: 'json' };

const hb = Handlebars.create();
hb.registerHelper('join', (list: unknown[], sep: unknown) =>
  Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : '',
);
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
hb.registerHelper('not', (a: unknown) => !a);
hb.registerHelper('upper', (s: unknown) => String(s).toUpperCase());
hb.registerHelper('indent', (n: number, s: unknown) =>
  String(s)
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n'),
);

const cache = new Map<string, HandlebarsTemplateDelegate>();

// bin/build.js compiles every installer/**/*.hbs into the bundle, with the options below (and rebuilds
// when one changes), so a start does not compile templates; run from the sources they are compiled here.
declare const __LABCTL_TEMPLATES__: Record<string, TemplateSpecification> | undefined;
const PRECOMPILED = typeof __LABCTL_TEMPLATES__ === 'undefined' ? undefined : __LABCTL_TEMPLATES__;

/** Renders installer/<template> (e.g. 'render/templates/site-readme.md.hbs') with `data`. */
export function renderTemplate(template: string, data: object): string {
  let fn = cache.get(template);
  if (!fn) {
    const spec = PRECOMPILED?.[template];
    fn = spec ? hb.template(spec) : hb.compile(readFileSync(repoPath('installer', template), 'utf8'), TEMPLATE_OPTIONS);
    cache.set(template, fn);
  }
  return fn(data);
}

/** A text file of labctl's own (installer/<path>, e.g. a script a Job runs), verbatim: shipped like a template. */
export const readAsset = (path: string): string => readFileSync(repoPath('installer', path), 'utf8');

export { hb as handlebars };
