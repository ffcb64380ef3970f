// PrometheusRule, PodMonitor and ServiceMonitor (monitoring.coreos.com/v1): generated from the pinned upstream
// CRDs (scripts/crds, source prometheus-operator). Nothing here is written by hand.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { PROMETHEUS_OPERATOR_SCHEMAS } from '../../schemas/generated/prometheus-operator.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...PROMETHEUS_OPERATOR_SCHEMAS };
