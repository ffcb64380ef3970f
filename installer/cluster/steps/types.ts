// What a bootstrap step is: a numbered, idempotent shell script for one host, rendered from the Site.
import type { Site, SiteNode } from '../../inventory/types.ts';

export type Phase = 'prepare' | 'init' | 'join-control-plane' | 'join-workers';
export const PHASES: readonly Phase[] = ['prepare', 'init', 'join-control-plane', 'join-workers'];

/**
 * Run-time values a step receives as shell variables on stdin (never rendered, journaled or logged): the
 * join secrets from the first control plane, the site CA certificate and the backup credentials from the
 * secret store.
 */
export type SecretName =
  | 'joinToken'
  | 'certificateKey'
  | 'caCertHash'
  | 'siteCaCert'
  | 'backupS3AccessKey'
  | 'backupS3SecretKey'
  | 'backupEtcdPassword';
export const SECRET_VARS: Record<SecretName, string> = {
  joinToken: 'LABCTL_JOIN_TOKEN',
  certificateKey: 'LABCTL_CERTIFICATE_KEY',
  caCertHash: 'LABCTL_CA_CERT_HASH',
  siteCaCert: 'LABCTL_SITE_CA_CERT',
  backupS3AccessKey: 'LABCTL_BACKUP_S3_ACCESS_KEY',
  backupS3SecretKey: 'LABCTL_BACKUP_S3_SECRET_KEY',
  backupEtcdPassword: 'LABCTL_BACKUP_ETCD_PASSWORD',
};

export interface StepDef {
  id: string;
  title: string;
  phase: Phase;
  /** Seconds before the step is killed on the host. */
  timeoutSec: number;
  appliesTo(site: Site, node: SiteNode): boolean;
  /** Template under cluster/templates/ and its data. */
  template: string;
  data(site: Site, node: SiteNode): Record<string, unknown>;
  needs?: SecretName[];
  /** Produces run-time values instead of changing the host: runs every time, never journaled. */
  produces?: boolean;
  /** Why the step runs on no host of this site (the plan says so), or undefined. */
  skippedBecause?(site: Site): string | undefined;
}

export const isFirstControlPlane = (site: Site, node: SiteNode) =>
  site.nodes.find((n) => n.roles.includes('control-plane'))?.name === node.name;
export const isControlPlane = (node: SiteNode) => node.roles.includes('control-plane');
