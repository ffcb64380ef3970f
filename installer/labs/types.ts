// A lab template as written (after schema validation) and the resolved Lab every labs command and the
// ApplicationSet/chart contract use. Defaults live here and in charts/vm-lab/values.yaml; a test keeps
// the two equal.
import type { YamlSource } from '../core/yaml-source.ts';
import type { Weekday } from '../inventory/types.ts';

export type StudentEntry = string | { name: string; sshKeys?: string[] };
export interface Window {
  days: Weekday[];
  start: string;
  end: string;
}

export interface LabFile {
  apiVersion: 1;
  title: string;
  course: string;
  image: string;
  size?: string;
  cpu?: number;
  memory?: string;
  disk?: string;
  persistence?: 'persistent' | 'ephemeral';
  students?: StudentEntry[];
  keycloakGroup?: string;
  staffGroup?: string;
  access?: { ssh?: boolean; sshFrom?: string[]; console?: boolean; vnc?: boolean; sudo?: boolean };
  network?: { isolation?: 'student' | 'lab'; internet?: boolean; allowEgress?: { cidr: string; ports?: number[] }[] };
  schedule?: { start: string; end: string; hours: Window[] };
  cloudInit?: {
    packages?: string[];
    files?: { path: string; content: string; permissions?: string; owner?: string }[];
    runcmd?: string[];
  };
}

export interface RosterFile {
  students: StudentEntry[];
  keycloakGroup?: string;
}

/** Defaults of the optional sections; charts/vm-lab/values.yaml carries the same. */
export const LAB_DEFAULTS = {
  persistence: 'persistent' as const,
  access: { ssh: true, sshFrom: [] as string[], console: true, vnc: false, sudo: true },
  network: { isolation: 'student' as const, internet: false, allowEgress: [] as { cidr: string; ports?: number[] }[] },
};

export interface Student {
  name: string;
  sshKeys: string[] /** VM name: the login as a DNS label. */;
  vm: string;
}

export interface Lab {
  /** File as shown in messages, and its source for positions. */
  file: string;
  source: YamlSource;
  /** Lab name: the file name without .yaml. */
  name: string;
  /** Course from the folder name (what the ApplicationSet uses). */
  course: string;
  namespace: string;
  application: string;
  spec: LabFile;
  cpu: number;
  memoryMiB: number;
  diskGiB: number;
  students: Student[];
  /** Where the students come from: the lab file, the course roster, or nowhere. */
  studentsFrom: 'lab' | 'roster' | 'none';
  roster?: { file: string; source: YamlSource; data: RosterFile };
}
