/**
 * The narrow ports steady-state probes talk through. Interfaces only: the implementations live in
 * src/adapters/probes/ and load their clients (Kubernetes, AWS SDK) on first use, for just the probe
 * types a scenario declares. Expected failures (refused, timed out, 500, not found) are *results*;
 * a port throws only when it cannot do its job at all.
 */
export interface HttpResponse {
  status: number;
  body: string;
  latencyMs: number;
}
export interface HttpProbePort {
  /** GET the url; rejects on a network error or when `timeoutMs` passes */
  get(url: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<HttpResponse>;
}

export interface TcpProbePort {
  /** opens and closes a connection; rejects on refusal, error or timeout */
  connect(host: string, port: number, opts: { timeoutMs: number; signal: AbortSignal }): Promise<{ latencyMs: number }>;
}

export type WorkloadKind = 'deployment' | 'statefulset' | 'daemonset';
export interface WorkloadStatus {
  /** replicas wanted (desiredNumberScheduled for a DaemonSet) */
  desired: number;
  ready: number;
  /** still rolling out / being replaced */
  updated?: number;
}
export interface WorkloadPort {
  /** undefined when the workload does not exist */
  get(namespace: string, kind: WorkloadKind, name: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<WorkloadStatus | undefined>;
  /**
   * Watches one workload and calls `onStatus` on every change (undefined = deleted) until `signal`
   * aborts. Resolves when aborted; rejects when the watch cannot be (re-)established.
   */
  watch(namespace: string, kind: WorkloadKind, name: string, onStatus: (s: WorkloadStatus | undefined) => void, signal: AbortSignal): Promise<void>;
}

export interface RdsClusterStatus {
  status: string;
  writer?: string;
  members: { id: string; writer: boolean }[];
}
export interface RdsProbePort {
  describeCluster(cluster: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<RdsClusterStatus | undefined>;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export interface AlarmProbePort {
  alarmState(alarm: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<AlarmState | undefined>;
}

export interface ProbePorts {
  http: HttpProbePort;
  tcp: TcpProbePort;
  workloads: WorkloadPort;
  rds: RdsProbePort;
  alarms: AlarmProbePort;
}
export type ProbePortName = keyof ProbePorts;
