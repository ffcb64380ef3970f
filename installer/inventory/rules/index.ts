import type { Rule } from './context.ts';
import { oncallHorizon, oncallReachable } from './oncall.ts';
import { references, uniqueNames } from './references.ts';
import { addresses, cidrHostBits, cidrOverlaps, externalAddresses } from './network.ts';
import { absurdSizes, controlPlane, controlPlaneRacks, disks, storageReplicas, vmHosts } from './nodes.ts';
import { asns, oneSpeakerPerRouter, routersReachRacks } from './bgp.ts';
import { labsPath } from './labs-path.ts';
import { backup } from './backup.ts';
import {
  courses,
  federation,
  kubernetesVersion,
  monitoringReceivers,
  oncallRotation,
  serviceHostnames,
  siteRealm,
  timezone,
  tlsMode,
  versionOverrides,
} from './services.ts';

/** Every semantic rule, in the order their messages are most useful. */
export const RULES: Record<string, Rule> = {
  uniqueNames,
  references,
  cidrHostBits,
  cidrOverlaps,
  addresses,
  externalAddresses,
  controlPlane,
  disks,
  absurdSizes,
  storageReplicas,
  controlPlaneRacks,
  vmHosts,
  asns,
  oneSpeakerPerRouter,
  routersReachRacks,
  kubernetesVersion,
  timezone,
  tlsMode,
  serviceHostnames,
  siteRealm,
  federation,
  monitoringReceivers,
  oncallRotation,
  oncallReachable,
  oncallHorizon,
  versionOverrides,
  courses,
  labsPath,
  backup,
};
