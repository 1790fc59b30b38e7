/** Which pods a drain evicts and which it leaves, with the reason (pure). */
import { describe, expect, it } from 'vitest';
import { triage } from '../../../../src/injectors/k8s-node-drain/triage.js';
import type { PodInfo } from '../../../../src/ports/kube.js';

const pod = (namespace: string, name: string, over: Partial<PodInfo> = {}): PodInfo => ({ namespace, name, uid: `${namespace}-${name}`, phase: 'Running', labels: {}, createdAt: 0, ...over });
const rs = { kind: 'ReplicaSet', name: 'rs', uid: 'u1' };

describe('triage', () => {
  it.each<[string, PodInfo, string | undefined]>([
    ['a ReplicaSet pod of an opted-in namespace is evicted', pod('shop', 'checkout-1', { owner: rs }), undefined],
    ['a bare pod of an opted-in namespace is evicted too (kubectl drain --force would)', pod('shop', 'bare'), undefined],
    ['DaemonSet pods stay', pod('shop', 'agent', { owner: { kind: 'DaemonSet', name: 'a', uid: 'd' } }), 'DaemonSet'],
    ['static (mirror) pods stay', pod('shop', 'static', { owner: { kind: 'Node', name: 'n', uid: 'n' } }), 'static pod'],
    ['protected namespaces stay', pod('kube-system', 'coredns-1', { owner: rs }), 'protected namespace'],
    ['namespaces that did not opt in stay', pod('billing', 'api-1', { owner: rs }), 'namespace not opted in'],
    ['terminating pods are not evicted again', pod('shop', 'going', { owner: rs, deletingAt: 1 }), 'already terminating'],
    ['finished pods stay', pod('shop', 'job-1', { phase: 'Succeeded' }), 'finished (Succeeded)'],
  ])('%s', (_case, p, why) => {
    const t = triage([p], new Set(['shop']), new Set(['kube-system', 'gameday-system']));
    expect(t.evict.map((x) => x.name)).toEqual(why ? [] : [p.name]);
    expect(t.skipped).toEqual(why ? [{ pod: `${p.namespace}/${p.name}`, why }] : []);
  });
});
