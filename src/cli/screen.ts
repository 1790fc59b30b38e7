/**
 * The room's screen, wired: a read-only page server (adapters/live-page-server.ts) that follows one
 * drill's journal (adapters/journal-follow.ts), folds it with the same fold as `status`, `halt` and
 * the reports, and streams the view the players may see (core/screen-view.ts). Used by
 * `gameday screen` and by `gameday run --screen` (which opens it before the drill exists and
 * attaches when the drill's journal starts).
 */
import { networkInterfaces } from 'node:os';
import { followJournal, followNewestJournal, type JournalFollower } from '../adapters/journal-follow.js';
import type { JournalProblem } from '../adapters/journal-store.js';
import { newToken, serveLivePage, type LivePageServer } from '../adapters/live-page-server.js';
import { applyEvent, emptyDrillState, type DrillState } from '../core/drill-state.js';
import { GamedayError } from '../core/errors.js';
import type { DrillEvent } from '../core/events.js';
import type { HostEvent } from '../core/host.js';
import { screenView, waitingView } from '../core/screen-view.js';
import { screenPage } from '../report/screen-page.js';

export const DEFAULT_SCREEN_HOST = '127.0.0.1';
export const DEFAULT_SCREEN_PORT = 8765;

export interface ScreenOptions {
  /** given: shared beyond this machine, so every request needs the printed token */
  host?: string;
  port?: number;
  /** the players' briefing of a scenario, for journals written before drill-started carried it */
  briefingOf?: (scenarioId: string) => string | undefined;
  onProblem?: (p: JournalProblem) => void;
  /** the server moves to each newer drill (`followNewest`): the page must keep listening after an end */
  followsLatest?: boolean;
}

export class RoomScreen {
  private events: DrillEvent[] = [];
  private state: DrillState = emptyDrillState('drill');
  private follower: JournalFollower | undefined;
  private fallbackBriefing: string | undefined;
  private server: LivePageServer | undefined;
  private newest: { stop(): void } | undefined;

  private constructor(private readonly opts: ScreenOptions) {}

  static async open(opts: ScreenOptions): Promise<RoomScreen> {
    const screen = new RoomScreen(opts);
    const host = opts.host ?? DEFAULT_SCREEN_HOST;
    screen.server = await serveLivePage({ host, port: opts.port ?? DEFAULT_SCREEN_PORT, page: screenPage(undefined, { followsLatest: opts.followsLatest }), current: () => screen.viewJson(), token: opts.host === undefined ? undefined : newToken() });
    return screen;
  }

  /** The URL to open; for 0.0.0.0, with an address of this machine the TV can reach. */
  get url(): string {
    const url = this.server!.url;
    if (!/\/\/(0\.0\.0\.0|\[::\])[:/]/.test(url)) return url;
    const lan = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    return lan ? url.replace(/\/\/(0\.0\.0\.0|\[::\])/, `//${lan}`) : url;
  }

  /** Follows this drill's journal from its first line; the page shows it from now on. */
  follow(file: string, drillId: string): void {
    this.follower?.stop();
    this.reset(drillId);
    this.follower = followJournal(file, {
      onEvents: (events, problems) => {
        for (const e of events) {
          this.events.push(e);
          applyEvent(this.state, e);
        }
        for (const p of problems) this.opts.onProblem?.(p);
        this.publish();
      },
      onReset: () => this.reset(drillId),
    });
  }

  /**
   * Follows the newest drill of a drills folder, and moves to each newer one as it starts: the page
   * resets to the new drill through its event stream (a TV left on all afternoon).
   */
  followNewest(dir: string, list: () => string[], pathOf: (drillId: string) => string, onSwitch?: (drillId: string) => void): void {
    this.newest?.stop();
    this.newest = followNewestJournal(dir, list, (drillId) => {
      this.follow(pathOf(drillId), drillId);
      onSwitch?.(drillId);
    });
  }

  viewJson(): string {
    if (this.events.length === 0) return JSON.stringify(waitingView());
    return JSON.stringify(screenView(this.events, this.state, Date.now(), { briefing: this.briefing() }));
  }

  async close(): Promise<void> {
    this.newest?.stop();
    this.follower?.poll(); // the last lines (drill-ended) reach the page before it goes
    this.follower?.stop();
    await this.server?.close();
  }

  private publish(): void {
    this.server?.publish(this.viewJson());
  }

  private reset(drillId: string): void {
    this.events = [];
    this.state = emptyDrillState(drillId);
    this.fallbackBriefing = undefined;
  }

  /** Only for journals whose drill-started lacks the briefing: the scenario file's, and nothing else of it. */
  private briefing(): string | undefined {
    if (!this.state.scenario || !this.opts.briefingOf) return undefined;
    const started = this.events.find((e) => e.type === 'drill-started');
    if (started?.type !== 'drill-started' || started.briefing !== undefined) return undefined;
    this.fallbackBriefing ??= this.opts.briefingOf(this.state.scenario) ?? '';
    return this.fallbackBriefing || undefined;
  }
}

/** `--port`: a whole number 0–65535 (0: any free port). */
export function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65535) throw new GamedayError('INVALID_INPUT', `--port: "${text.slice(0, 20)}" is not a port number`, { hint: 'a whole number from 1 to 65535, or 0 for any free port' });
  return n;
}

/**
 * `gameday run --screen`: the screen opens before the drill exists (it says it is waiting) and
 * follows the drill's journal from its first event, seen through the host the drill reports to.
 */
export async function screenForRun<H extends { emit(e: HostEvent): void }>(host: H, opts: ScreenOptions, pathOf: (drillId: string) => string): Promise<{ host: H; screen: RoomScreen }> {
  const screen = await RoomScreen.open(opts);
  const watched = new Proxy(host, {
    get(target, prop) {
      if (prop === 'emit') {
        return (e: HostEvent) => {
          if (e.type === 'drill-started') screen.follow(pathOf(e.drillId), e.drillId);
          target.emit(e);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { host: watched, screen };
}
