// Grafana dashboards as code: the dashboard JSON model as data and its layout helper. Components declare
// their dashboards with dashboard() (metrics they expose); monitoring gathers them into ConfigMaps.

export const PROM = { type: 'prometheus', uid: 'prometheus' };

interface Target {
  expr: string;
  legendFormat?: string;
  refId: string;
}
interface Panel {
  id: number;
  type: 'timeseries' | 'stat' | 'table' | 'gauge';
  title: string;
  datasource: typeof PROM;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
  fieldConfig: { defaults: { unit?: string; min?: number; max?: number; thresholds?: unknown }; overrides: unknown[] };
  options?: Record<string, unknown>;
  description?: string;
}
export interface Variable {
  name: string;
  label: string;
  type: 'query';
  query: string;
  datasource: typeof PROM;
  refresh: 1 | 2;
  includeAll: boolean;
  multi: boolean;
}
export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  schemaVersion: number;
  editable: boolean;
  refresh: string;
  time: { from: string; to: string };
  timezone: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export interface PanelSpec {
  title: string;
  type?: Panel['type'];
  unit?: string;
  w?: number;
  h?: number;
  max?: number;
  queries: [string, string?][];
  description?: string;
}

/** Lays panels out left to right, 24 columns per row. */
function layout(specs: PanelSpec[]): Panel[] {
  let x = 0,
    y = 0,
    rowH = 0;
  return specs.map((s, i) => {
    const w = s.w ?? 12,
      h = s.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const panel: Panel = {
      id: i + 1,
      type: s.type ?? 'timeseries',
      title: s.title,
      datasource: PROM,
      gridPos: { x, y, w, h },
      targets: s.queries.map(([expr, legendFormat], j) => ({
        expr,
        ...(legendFormat ? { legendFormat } : {}),
        refId: String.fromCharCode(65 + j),
      })),
      fieldConfig: {
        defaults: { ...(s.unit ? { unit: s.unit } : {}), ...(s.max !== undefined ? { min: 0, max: s.max } : {}) },
        overrides: [],
      },
      ...(s.description ? { description: s.description } : {}),
    };
    x += w;
    rowH = Math.max(rowH, h);
    return panel;
  });
}

export function dashboard(
  uid: string,
  title: string,
  specs: PanelSpec[],
  zone: string,
  variables: Variable[] = [],
): Dashboard {
  return {
    uid,
    title,
    tags: ['labctl'],
    schemaVersion: 39,
    editable: false,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timezone: zone,
    panels: layout(specs),
    templating: { list: variables },
  };
}
