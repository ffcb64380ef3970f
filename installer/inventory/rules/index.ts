import type { Rule } from './context.ts';
import { oncallHorizon, oncallReachable } from './oncall.ts';
import { references, uniqueNames } from './references.ts';
import { addresses, cidrHostBits, cidrOverlaps, externalAddresses } from './network.ts';
import { absurdSizes, controlPlane, controlPlaneRacks, disks, storageReplicas, vmHosts } from './nodes.ts';
import { asns, ibgpRouters, oneSpeakerPerRouter, routersReachRacks } from './bgp.ts';
import { labsPath } from './labs-path.ts';
import { COMPONENT_SECTIONS } from '../schema/component-sections.ts';
import { sectionRules } from '../schema/component-section.ts';
import { backup } from './backup.ts';
import {
  courses,
  federation,
  kubernetesVersion,
  serviceHostnames,
  siteRealm,
  timezone,
  tlsMode,
  versionOverrides,
} from './services.ts';

/** The platform's semantic rules, in the order their messages are most useful. */
const PLATFORM_RULES: Record<string, Rule> = {
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
  ibgpRouters,
  oneSpeakerPerRouter,
  routersReachRacks,
  kubernetesVersion,
  timezone,
  tlsMode,
  serviceHostnames,
  siteRealm,
  federation,
  oncallReachable,
  oncallHorizon,
  versionOverrides,
  courses,
  labsPath,
  backup,
};

/** Every semantic rule: the platform's, then those of the components' inventory sections (their inventory.ts). */
export const RULES: Record<string, Rule> = {
  ...PLATFORM_RULES,
  ...sectionRules(COMPONENT_SECTIONS, Object.keys(PLATFORM_RULES)),
};
