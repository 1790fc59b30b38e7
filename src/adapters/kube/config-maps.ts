/**
 * The few ConfigMap calls the cluster journal, its claims and its halt flag make, synchronously
 * (sync-api.ts), in the toolkit namespace. Outcomes come back as values where the caller decides
 * (`'conflict'`, `'exists'`, `'not-found'`); anything else the API server refuses throws, naming the
 * object and the server's own message.
 */
import { MANAGED_BY_LABEL, TOOLKIT_NAMESPACE } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import { statusMessage, type SyncKubeApi, type SyncResponse } from './sync-api.js';

export interface ConfigMap {
  metadata: { name: string; resourceVersion?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, unknown>;
}

/** What every object of ours carries (the safety model: everything we create is marked). */
export const MANAGED = { [MANAGED_BY_LABEL]: 'gameday' } as const;
/** Which kind of record an object is: journal chunk, fault claim, halt flag. */
export const RECORD_LABEL = 'gameday.dev/record';

const TRANSIENT = new Set([429, 500, 502, 503, 504]);
const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export class ConfigMaps {
  readonly namespace = TOOLKIT_NAMESPACE;
  constructor(readonly api: SyncKubeApi) {}

  describe(name: string): string {
    return `configmap ${this.namespace}/${name}`;
  }

  get(name: string): ConfigMap | undefined {
    const r = this.call('GET', this.path(name), undefined, name);
    if (r.status === 404) return undefined;
    return this.ok(r, 'read', name) as ConfigMap;
  }

  list(labelSelector: string): ConfigMap[] {
    const r = this.call('GET', `${this.path()}?labelSelector=${encodeURIComponent(labelSelector)}`, undefined, `(${labelSelector})`);
    if (r.status === 404) return []; // no toolkit namespace: nothing of ours
    return ((this.ok(r, 'list', `(${labelSelector})`) as { items?: ConfigMap[] }).items ?? []);
  }

  create(cm: ConfigMap): 'created' | 'exists' {
    const r = this.call('POST', this.path(), { apiVersion: 'v1', kind: 'ConfigMap', ...cm }, cm.metadata.name);
    if (r.status === 409) return 'exists';
    if (r.status === 404) {
      throw new GamedayError('INVALID_INPUT', `cannot create ${this.describe(cm.metadata.name)}: namespace ${this.namespace} does not exist`, { hint: `create it (kubectl create namespace ${this.namespace}; \`gameday rbac\` prints it with the toolkit's roles)` });
    }
    this.ok(r, 'create', cm.metadata.name);
    return 'created';
  }

  /** Replaces the object if it is still at `cm.metadata.resourceVersion` (optimistic concurrency). */
  replace(cm: ConfigMap): 'replaced' | 'conflict' {
    const r = this.call('PUT', this.path(cm.metadata.name), { apiVersion: 'v1', kind: 'ConfigMap', ...cm }, cm.metadata.name);
    if (r.status === 409 || r.status === 404) return 'conflict';
    this.ok(r, 'update', cm.metadata.name);
    return 'replaced';
  }

  /** Deletes the object only if it is still the one we saw (uid and resourceVersion). */
  deleteIfUnchanged(name: string, uid: string | undefined, resourceVersion: string | undefined): 'deleted' | 'conflict' | 'not-found' {
    const r = this.call('DELETE', this.path(name), { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid, resourceVersion } }, name);
    if (r.status === 404) return 'not-found';
    if (r.status === 409) return 'conflict';
    this.ok(r, 'delete', name);
    return 'deleted';
  }

  private path(name?: string): string {
    return `/api/v1/namespaces/${this.namespace}/configmaps${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /** One call, with a few retries while the server says it is busy (429, 5xx). */
  private call(method: string, path: string, body: unknown, what: string): SyncResponse {
    for (let attempt = 0; ; attempt++) {
      const r = this.api.request(method, path, body);
      if (!TRANSIENT.has(r.status) || attempt >= 5) return r;
      sleepSync(Math.min(2_000, 100 * 2 ** attempt));
      void what;
    }
  }

  private ok(r: SyncResponse, verb: string, name: string): unknown {
    if (r.status >= 200 && r.status < 300) return r.json;
    const hint = r.status === 401 || r.status === 403 ? `the kube credentials of this environment may not ${verb} ConfigMaps in ${this.namespace} (see \`gameday rbac\`)` : 'check the cluster';
    throw new GamedayError(r.status === 401 || r.status === 403 ? 'INVALID_INPUT' : 'UNREACHABLE', `cannot ${verb} ${this.describe(name)}: ${statusMessage(r)}`, { hint });
  }
}
