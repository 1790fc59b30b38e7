import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { environmentSpec, type Environment } from '../../src/core/environment.js';
import { scenarioSpec, type Scenario, type ScenarioInput } from '../../src/core/scenario.js';
import type { DrillEvent } from '../../src/core/events.js';
import { buildPorts } from '../../src/adapters/ports.js';
import { buildProbePorts } from '../../src/adapters/probes/index.js';
import type { DrillDeps } from '../../src/drill/engine.js';
import type { DrillHost } from '../../src/drill/host.js';

process.env.GAMEDAY_ENABLE_TEST_INJECTORS = '1';

export const tmp = (p = 'gameday-drill-') => mkdtempSync(join(tmpdir(), p));

export const env = (over: Record<string, unknown> = {}): Environment => ({ ...environmentSpec.parse({ critical: false, ...over }), name: 'lab' });

/** A real HTTP service whose health the test controls: 503 while `broken()` says so. */
export async function service(broken: () => boolean): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    const b = broken();
    res.writeHead(b ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(b ? 'checkout unavailable' : 'checkout ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, server, close: () => new Promise((r) => server.close(() => r())) };
}

export function markerScenario(dir: string, url: string, over: Partial<ScenarioInput> = {}): Scenario {
  return scenarioSpec.parse({
    id: 'marker-drill',
    title: 'Marker drill',
    summary: 'A marker file breaks the service.',
    briefing: 'Oh no! Checkout is down! What could it be?',
    faults: [{ kind: 'test.marker', target: { dir, names: 'm1' }, duration: '1m' }],
    steadyState: [{ name: 'checkout-http', type: 'http', url, interval: '100ms', timeout: '1s' }],
    hints: [{ text: 'Look at the health endpoint', after: '200ms' }, 'Check the marker directory'],
    objectives: { detectWithin: '5s', diagnoseWithin: '10s', mitigateWithin: '10s', recoverWithin: '10s' },
    timeLimit: '20s',
    ...over,
  });
}

export const deps = (host: DrillHost, signal: AbortSignal = new AbortController().signal): DrillDeps => ({ host, signal, buildPorts, buildProbePorts });

export const markersLeft = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.fault')) : []);

/** A compact label per journal event, for order assertions. */
export function label(e: DrillEvent): string {
  switch (e.type) {
    case 'probe-result':
      return `probe-${e.ok ? 'ok' : 'broken'}`;
    case 'mark':
      return `mark-${e.mark}`;
    case 'fault-reverted':
      return 'reverted';
    case 'fault-injected':
      return 'injected';
    case 'hint-revealed':
      return 'hint';
    default:
      return e.type;
  }
}

/** Is `want` a subsequence of `have`? */
export function inOrder(have: string[], want: string[]): boolean {
  let i = 0;
  for (const h of have) if (h === want[i]) i++;
  return i === want.length;
}
