/**
 * kwok's Stage configuration for the sandbox (pure). kwok v0.8.0 refuses to start without
 * stages ("no stages found"); these give the "fast" behaviour: a node turns Ready as soon as it
 * exists and keeps heart-beating, a scheduled pod turns Running and Ready at once, and a pod
 * being deleted is removed (there is no kubelet to finish the deletion).
 * Written against the Stage API (kwok.x-k8s.io/v1alpha1); see kwok's kustomize/stage docs.
 */
import { stringify } from 'yaml';

export const STAGE_NAMES = ['node-initialize', 'node-heartbeat', 'pod-ready', 'pod-delete'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface StageOptions {
  /** how often a Ready node refreshes its conditions (ms); jitter adds up to half of it */
  heartbeatMs?: number;
}

const nodeConditions = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
- type: Ready
  status: "True"
  reason: KubeletReady
  message: kwok simulates a ready kubelet
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
- type: MemoryPressure
  status: "False"
  reason: KubeletHasSufficientMemory
  message: simulated
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
- type: DiskPressure
  status: "False"
  reason: KubeletHasNoDiskPressure
  message: simulated
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
- type: PIDPressure
  status: "False"
  reason: KubeletHasSufficientPID
  message: simulated
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
- type: NetworkUnavailable
  status: "False"
  reason: RouteCreated
  message: simulated
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
`;

const nodeInitializeTemplate = `${nodeConditions}addresses:
{{ $ip := "" }}
{{ with .metadata.annotations }}{{ with index . "gameday.dev/internal-ip" }}{{ $ip = . }}{{ end }}{{ end }}
{{ if not $ip }}{{ with NodeIP }}{{ $ip = . }}{{ end }}{{ end }}
{{ with $ip }}
- type: InternalIP
  address: {{ . | Quote }}
{{ end }}
{{ with NodeName }}
- type: Hostname
  address: {{ . | Quote }}
{{ end }}
allocatable:
{{ with .status.allocatable }}
{{ YAML . 1 }}
{{ else }}
  cpu: "32"
  memory: 128Gi
  pods: "110"
{{ end }}
capacity:
{{ with .status.capacity }}
{{ YAML . 1 }}
{{ else }}
  cpu: "32"
  memory: 128Gi
  pods: "110"
{{ end }}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  osImage: gameday sandbox (kwok)
  machineID: ""
  systemUUID: ""
  bootID: ""
phase: Running
`;

const podReadyTemplate = `{{ $now := Now }}
conditions:
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: PodScheduled
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ range .spec.readinessGates }}
- type: {{ .conditionType | Quote }}
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
{{ with .spec.initContainers }}
initContainerStatuses:
{{ range . }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
{{ end }}
{{ with NodeIPWith .spec.nodeName }}
hostIP: {{ . | Quote }}
hostIPs:
- ip: {{ . | Quote }}
{{ end }}
{{ with PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
podIP: {{ . | Quote }}
podIPs:
- ip: {{ . | Quote }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

interface StageDoc {
  apiVersion: 'kwok.x-k8s.io/v1alpha1';
  kind: 'Stage';
  metadata: { name: StageName };
  spec: Record<string, unknown>;
}

const readyIs = (op: 'In' | 'NotIn') => ({ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: op, values: ['True'] });
/** set by the instance follower while a kwok node's EC2 instance is stopped: kwok stops "being" that kubelet */
export const INSTANCE_STATE_LABEL = 'gameday.dev/instance-state';
const instanceRunning = { key: `.metadata.labels["${INSTANCE_STATE_LABEL}"]`, operator: 'DoesNotExist' };
/**
 * kwok's heartbeat: every 5-7.5 s, well inside the controller-manager's shortened
 * --node-monitor-grace-period (components.ts, 20 s), so a kwok node never turns NotReady by accident.
 */
export const KWOK_HEARTBEAT_MS = 5_000;

export function stageDocuments(opts: StageOptions = {}): StageDoc[] {
  const heartbeat = opts.heartbeatMs ?? KWOK_HEARTBEAT_MS;
  const stage = (name: StageName, spec: Record<string, unknown>): StageDoc => ({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name }, spec });
  return [
    stage('node-initialize', {
      resourceRef: { apiGroup: 'v1', kind: 'Node' },
      selector: { matchExpressions: [readyIs('NotIn'), instanceRunning] },
      next: { statusTemplate: nodeInitializeTemplate },
    }),
    stage('node-heartbeat', {
      resourceRef: { apiGroup: 'v1', kind: 'Node' },
      selector: { matchExpressions: [{ key: '.status.phase', operator: 'In', values: ['Running'] }, readyIs('In'), instanceRunning] },
      delay: { durationMilliseconds: heartbeat, jitterDurationMilliseconds: heartbeat + Math.round(heartbeat / 2) },
      next: { statusTemplate: nodeConditions },
      immediateNextStage: true,
    }),
    stage('pod-ready', {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: {
        matchExpressions: [
          { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
          { key: '.status.phase', operator: 'In', values: ['Pending'] },
          readyIs('NotIn'),
        ],
      },
      next: { statusTemplate: podReadyTemplate },
    }),
    stage('pod-delete', {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }] },
      next: { delete: true },
    }),
  ];
}

/** The file given to `kwok --config`: the Stage documents, one YAML document each. */
export function renderStageConfig(opts: StageOptions = {}): string {
  return stageDocuments(opts)
    .map((d) => stringify(d, { lineWidth: 0 }))
    .join('---\n');
}
