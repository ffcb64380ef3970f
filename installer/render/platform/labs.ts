// The labs contract between vm-labs (course projects and lab Applications), kubevirt (the cloner role lab
// VMs bind) and argocd (course staff's RBAC): names both sides must agree on.
import { GROUPS } from './identity.ts';

/** ArgoCD AppProject of a course's labs. */
export const labsProject = (course: string) => `course-${course}`;

/**
 * Namespaces of a course's labs, course-<course>-<lab>, as a glob (ArgoCD destinations, Velero's labs
 * schedule). `course-a-*` also matches course a-b's labs: readers deny those explicitly.
 */
export const labsNamespaces = (course: string) => `course-${course}-*`;

/** Cloning a golden image from vm-images needs `create datavolumes/source` there (CDI's clone authorization). */
export const CLONER_ROLE = 'labctl-datavolume-cloner';

/**
 * ArgoCD RBAC lines (policy.csv) for course staff: each course's staff group may see and sync the
 * Applications of its own course project, and read that project, nothing else. ArgoCD objects are
 * <project>/<application>, matched as globs in which "*" also crosses "/"; "course-a/*" never matches
 * course-a-b/... because the "/" right after the project name is literal.
 */
export function courseStaffPolicy(courses: string[]): string[] {
  return courses.flatMap((c) => {
    const role = `role:${GROUPS.courseStaff(c)}`;
    return [
      `p, ${role}, applications, get, ${labsProject(c)}/*, allow`,
      `p, ${role}, applications, sync, ${labsProject(c)}/*, allow`,
      `p, ${role}, projects, get, ${labsProject(c)}, allow`,
      `g, ${GROUPS.courseStaff(c)}, ${role}`,
    ];
  });
}
