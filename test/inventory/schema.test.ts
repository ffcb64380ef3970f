import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, schemaText } from '../../installer/inventory/schema/emit.ts';
import { inventorySchema } from '../../installer/inventory/schema/index.ts';

function walk(node: unknown, path: string, visit: (n: Record<string, unknown>, p: string) => void): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  visit(n, path);
  for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {})) walk(v, `${path}.${k}`, visit);
  if (n.items) walk(n.items, `${path}[]`, visit);
  if (n.additionalProperties && typeof n.additionalProperties === 'object')
    walk(n.additionalProperties, `${path}.*`, visit);
}

describe('inventory JSON Schema', () => {
  it('schema.json is up to date (run npm run schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(schemaText());
  });
  it('schema.json gives editors the declared defaults and starts with $schema', () => {
    const file = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(Object.keys(file).slice(0, 3)).toEqual(['$schema', '$id', 'title']);
    expect(file.properties.ssh.properties.port).toMatchObject({ default: 22, description: 'SSH port. Default: 22' });
    expect(file.properties.monitoring.properties.workingHours.default).toEqual({
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '08:00',
      end: '18:00',
    });
    expect(file.properties.ingress.properties.controller).toMatchObject({
      type: 'string',
      enum: ['ingress-nginx', 'calico-gateway'],
      default: 'ingress-nginx',
    });
    // A node's ssh block overrides the top-level one, so it declares no defaults of its own.
    expect(file.properties.nodes.items.properties.ssh.properties.port.default).toBeUndefined();
  });
  it('is draft 2020-12, closes every object and describes every key', () => {
    expect(inventorySchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const problems: string[] = [];
    walk(inventorySchema, '$', (n, p) => {
      if (typeof n.description !== 'string' || n.description.length < 3) problems.push(`${p}: no description`);
      if (n.type === 'object' && n.properties && n.additionalProperties !== false) problems.push(`${p}: not closed`);
    });
    expect(problems).toEqual([]);
  });
  it('the example inventory points editors at the schema', () => {
    expect(readFileSync(new URL('../../inventory.example.yaml', import.meta.url), 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./inventory.schema.json',
    );
  });
  it('every key of the schema appears in the commented example', () => {
    const text = readFileSync(new URL('../../inventory.example.yaml', import.meta.url), 'utf8');
    const missing: string[] = [];
    walk(inventorySchema, '', (_n, p) => {
      const key = p.split('.').pop()!.replace('[]', '');
      if (p && key !== '*' && !new RegExp(`\\b${key}\\b`).test(text)) missing.push(p);
    });
    expect(missing).toEqual([]);
  });
});
