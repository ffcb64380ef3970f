// Driven by local-side.test.ts inside a real pty (util-linux script): the terminal progress display.
import { ttyProgress } from '../../installer/cluster/progress.ts';

const p = ttyProgress(['cp1', 'w1']);
p.event({ node: 'cp1', step: '0030-kube-packages', kind: 'start' });
p.event({ node: 'cp1', step: '0030-kube-packages', kind: 'output', message: 'Unpacking kubelet (1.36.4-1.1) ...' });
p.event({ node: 'w1', step: '0030-kube-packages', kind: 'start' });
await new Promise((r) => setTimeout(r, 2500));
p.event({ node: 'cp1', step: '0030-kube-packages', kind: 'done', ms: 2500 });
p.event({ node: 'w1', step: '0030-kube-packages', kind: 'failed', message: 'w1 [0030-kube-packages]: boom' });
await p.end(new Map([['w1', 'w1 [0030-kube-packages]: boom (full output: /state/logs/w1/0030-kube-packages.log)']]));
process.stdout.write('DRIVER-END\n');
