// Patterns for the common string formats of labctl's YAML files (inventory, lab templates, images).
// Kept as JSON Schema patterns (not ajv formats) so editors without format support still check them;
// core/schema-check.ts names them in its messages, so they live here below both.
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
export const DNS_NAME = '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$';
export const IPV4 = '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$';
export const CIDR4 = IPV4.slice(0, -1) + '/(3[0-2]|[12]?[0-9])$';
export const SECRET_REF = '^[a-z0-9][-a-z0-9_.]*(/[a-z0-9][-a-z0-9_.]*)*$';
export const TIME_HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
