// `labctl labs validate | capacity | list`: the checks course staff's merge requests run in CI.
import { ExitError } from '../../core/diagnostics.ts';
import { capacityReport, labNeed, showMinute, unsizedHostWarnings } from '../../labs/capacity.ts';
import { showMiB } from '../../labs/sizes.ts';
import type { Lab } from '../../labs/types.ts';
import { LAB_DEFAULTS } from '../../labs/types.ts';
import { validateLabs, type LabsOptions, type LabsResult } from '../../labs/validate.ts';
import { printDiagnostics, printJson, type OutputFormat } from '../output.ts';
import { showControls } from '../../core/show-controls.ts';
import { table } from '../../core/table.ts';

export interface LabsCommandOptions extends LabsOptions {
  output: OutputFormat;
}

function run(o: LabsOptions, what: string): LabsResult {
  const r = validateLabs(o);
  printDiagnostics([...r.errors, ...r.warnings]);
  if (r.errors.length) throw new ExitError(`${r.errors.length} error(s) in lab files${what ? `; ${what}` : ''}`, 1);
  return r;
}

export async function labsValidateCommand(o: LabsCommandOptions): Promise<void> {
  const r = validateLabs(o);
  if (o.output === 'json') {
    printJson({
      valid: r.errors.length === 0,
      files: r.files,
      labs: r.labs.map((l) => l.file),
      errors: r.errors,
      warnings: r.warnings,
    });
    if (r.errors.length) throw new ExitError('', 1);
    return;
  }
  printDiagnostics([...r.errors, ...r.warnings]);
  if (r.errors.length)
    throw new ExitError(
      `${r.errors.length} error(s) in ${r.files} lab file(s)${r.warnings.length ? `; ${r.warnings.length} warning(s) above too` : ''}`,
      1,
    );
  const vms = r.labs.reduce((n, l) => n + l.students.length, 0);
  process.stdout.write(
    `${r.files} lab file(s) valid: ${r.labs.length} lab(s), ${vms} VM(s)${r.warnings.length ? `, ${r.warnings.length} warning(s)` : ''}\n`,
  );
}

const sizeOf = (l: Lab) => `${l.spec.size ? `${l.spec.size} ` : ''}${l.cpu}cpu/${showMiB(l.memoryMiB)}/${l.diskGiB}Gi`;
const scheduleOf = (l: Lab) => {
  const s = l.spec.schedule;
  if (!s) return 'always on';
  const hours = s.hours.map((w) => `${w.days.map((d) => d.slice(0, 3)).join(',')} ${w.start}-${w.end}`).join('; ');
  return `${s.start}..${s.end} ${hours}`;
};

export async function labsListCommand(o: LabsCommandOptions): Promise<void> {
  const r = run(o, 'nothing listed');
  const labs = [...r.labs].sort((a, b) => a.file.localeCompare(b.file));
  if (o.output === 'json') {
    printJson(
      labs.map((l) => ({
        lab: `${l.course}/${l.name}`,
        file: l.file,
        title: l.spec.title,
        namespace: l.namespace,
        image: l.spec.image,
        cpu: l.cpu,
        memory: showMiB(l.memoryMiB),
        disk: `${l.diskGiB}Gi`,
        persistence: l.spec.persistence ?? LAB_DEFAULTS.persistence,
        students: l.students.length,
        studentsFrom: l.studentsFrom,
        schedule: l.spec.schedule ?? null,
      })),
    );
    return;
  }
  if (!labs.length) {
    process.stdout.write(`no labs in ${showControls(r.labsDir)}\n`);
    return;
  }
  process.stdout.write(
    table(
      ['LAB', 'TITLE', 'IMAGE', 'SIZE', 'DISK', 'STUDENTS', 'SCHEDULE'],
      labs.map((l) => [
        `${l.course}/${l.name}`,
        l.spec.title,
        l.spec.image,
        sizeOf(l),
        l.spec.persistence ?? LAB_DEFAULTS.persistence,
        `${l.students.length}${l.studentsFrom === 'roster' ? ' (roster)' : ''}`,
        scheduleOf(l),
      ]),
    ),
  );
}

export async function labsCapacityCommand(o: LabsCommandOptions): Promise<void> {
  const r = run({ ...o, inventoryRequired: true }, 'capacity not computed');
  const site = r.site!;
  const rep = capacityReport(r.labs, site);
  const { capacity: c } = rep;
  if (c.missing.length) {
    // Unknown sizes: warn and pass (a new site's CI must not fail every merge request); see unsizedHostWarnings.
    if (o.output === 'json')
      printJson({ fits: null, checked: false, unsized: c.missing, warnings: unsizedHostWarnings(site, c.missing) });
    else {
      printDiagnostics(unsizedHostWarnings(site, c.missing));
      process.stdout.write(
        `capacity not checked: ${c.missing.length} of ${c.missing.length + c.hosts.length} VM host(s) have no size (${c.missing.join(', ')}); ${r.labs.length} lab(s) valid\n`,
      );
    }
    return;
  }
  const at = (p: typeof rep.peak) =>
    p.labs.length
      ? `${showMinute(p.minute)}${p.from || p.to ? ` (${p.from ?? '...'} .. ${p.to ?? '...'})` : ''}`
      : 'no lab runs';
  const fits = rep.notFitting.length === 0;
  if (o.output === 'json') {
    printJson({
      fits,
      capacity: { hosts: c.hosts.length, vcpu: c.vcpu, memory: showMiB(c.memoryMiB), overcommit: c.overcommit },
      busiest: {
        at: at(rep.peak),
        vcpu: rep.peak.vcpu,
        memory: showMiB(rep.peak.memoryMiB),
        labs: rep.peak.labs.map((l) => `${l.course}/${l.name}`),
      },
      labs: [...r.labs]
        .sort((a, b) => a.file.localeCompare(b.file))
        .map((l) => ({
          lab: `${l.course}/${l.name}`,
          vcpu: labNeed(l).vcpu,
          memory: showMiB(labNeed(l).memoryMiB),
          fits: !rep.notFitting.includes(l),
        })),
      kept: c.kept,
      floating: c.floating,
      storage: rep.storage,
      sources: rep.explain,
    });
  } else {
    process.stdout.write(
      `VM hosts: ${c.hosts.length} (${c.hosts.map((h) => `${h.name} ${h.cpu}cpu/${showMiB(h.memoryMiB)}`).join(', ')})\n`,
    );
    process.stdout.write(
      `capacity for VMs: ${c.vcpu} vCPU, ${showMiB(c.memoryMiB)} (overcommit cpu ${c.overcommit.cpu}, memory ${c.overcommit.memory}; reserve per host kept out)\n`,
    );
    process.stdout.write(
      table(
        ['LAB', 'STUDENTS', 'VCPU', 'MEMORY', 'RUNS', 'FITS'],
        [...r.labs]
          .sort((a, b) => a.file.localeCompare(b.file))
          .map((l) => [
            `${l.course}/${l.name}`,
            String(l.students.length),
            String(labNeed(l).vcpu),
            showMiB(labNeed(l).memoryMiB),
            scheduleOf(l),
            rep.notFitting.includes(l) ? 'NO' : 'yes',
          ]),
      ),
    );
    process.stdout.write(rep.explain.join('\n') + '\n');
    process.stdout.write(
      `busiest: ${at(rep.peak)}: ${rep.peak.vcpu} of ${c.vcpu} vCPU, ${showMiB(rep.peak.memoryMiB)} of ${showMiB(c.memoryMiB)}${rep.peak.labs.length ? ` (${rep.peak.labs.map((l) => `${l.course}/${l.name}`).join(', ')})` : ''}\n`,
    );
  }
  if (!fits) {
    throw new ExitError(
      `${rep.notFitting.length} lab(s) do not fit at their busiest hours: ${rep.notFitting.map((l) => `${l.course}/${l.name} (${l.file})`).join(', ')}; move their hours, shrink them, or add VM hosts`,
      1,
    );
  }
  if (rep.storage.over) {
    throw new ExitError(
      `the labs' disks do not fit in Ceph: ${rep.storage.needGiB}Gi raw needed (x${rep.storage.replicas} replicas) of ${rep.storage.usableGiB}Gi usable${rep.storage.tooBig.length ? `; larger than all raw storage: ${rep.storage.tooBig.map((l) => `${l.course}/${l.name} (${l.file})`).join(', ')}` : ''}; add disks, shrink the disks, or make labs ephemeral`,
      1,
    );
  }
  if (o.output !== 'json') process.stdout.write(`all ${r.labs.length} lab(s) fit\n`);
}
