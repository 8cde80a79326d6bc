// The agent: input hooks and the active window in, through the recorder's rules, into the
// encrypted spool, and from there to the server; with the device state polled (consent, the
// program's kill switch, its allow-list) and a local control channel for pause and status.
import { webcrypto } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { shapeOf } from '@lockstep/redact';
import { newId } from '@lockstep/schema';
import { SpoolBatcher } from './batcher.ts';
import { startControl, type AgentStatus, type ControlServer } from './control.ts';
import { loadDevice, type DeviceCredential } from './device.ts';
import { loadDeviceKey } from './devicekey.ts';
import { startInputHooks, type InputHooks, type RawInput } from './hooks/host.ts';
import { keyFor } from './keymap.ts';
import { NOTHING, type CaptureSettings } from './policy.ts';
import { DesktopRecorder, type FrameShot, type WindowInfo } from './recorder.ts';
import { WindowShooter } from './screenshot.ts';
import { Spool } from './spool.ts';
import { SpoolUploader } from './uploader.ts';
import { WindowWatcher } from './window.ts';
import { join } from 'node:path';

export interface AgentOptions {
  /** The agent's directory: device.json (credential), device.key, spool.db, control.json. */
  dir: string;
  /** X display (default: DISPLAY). */
  display?: string;
  /** Spool size limit in bytes (default 256 MiB): capture stops with a gap marker when it is reached. */
  maxSpoolBytes?: number;
  /**
   * Events are written to the spool at least this often (default 1 s, as the browser recorder
   * flushes): each write is an fsync and, soon after, an upload, so this is the main cost knob;
   * events younger than this are lost by a kill -9 (never those already written).
   */
  flushMs?: number;
  /** Most events per spooled batch (default 500). */
  batchEvents?: number;
  /** How often the device state is asked for when the server does not say (default 2 s). */
  pollMs?: number;
  /** Control channel port (default: any free one). */
  controlPort?: number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

/** What the server says about this device (GET /v1/device/state). */
interface DeviceState {
  program: { id: string; name: string } | null;
  consent: { state: string; currentVersion?: number | null; acceptedVersion?: number | null };
  paused: { at: string; reason: string } | null;
  capture: CaptureSettings;
  pollMs?: number;
}

export interface RunningAgent {
  readonly session: string;
  status(): AgentStatus;
  pause(forMs?: number): void;
  resume(): void;
  /** Stops capture, writes what is left to the spool, uploads for up to `drainMs`, and closes. */
  stop(drainMs?: number): Promise<void>;
  /** Resolves when the agent stopped (stop(), or the input hooks died). */
  readonly done: Promise<void>;
}

const DEFAULT_SPOOL_BYTES = 256 * 1024 * 1024;

/**
 * Masks this machine's host name and the account's user name wherever a window title shows them
 * (shells put `user@host:path` in their title): payloads name neither. Each is replaced by its
 * shape, so a title keeps its form (`xxx@xxxxx-9: ~`).
 */
export function identityScrubber(names: readonly string[] = [hostname(), hostname().split('.')[0] ?? '', safeUser()]): (text: string) => string {
  const terms = [...new Set(names.filter((n) => n.length >= 2))].sort((a, b) => b.length - a.length);
  if (terms.length === 0) return (text) => text;
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Whole names only: `root` is masked in `root@box`, not in `chroot`.
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => text.replace(pattern, shapeOf);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = options.log ?? (() => {});
  const device: DeviceCredential = loadDevice(options.dir);
  const doFetch = options.fetch ?? fetch;
  const flushMs = options.flushMs ?? 1000;
  const batchEvents = options.batchEvents ?? 500;

  // The display first: without one there is nothing to record, and nothing else is started.
  const watcher = await WindowWatcher.open(options.display);
  const cleanups: Array<() => unknown> = [() => watcher.close()];
  try {
    const spool = Spool.open(join(options.dir, 'spool.db'), { key: loadDeviceKey(options.dir), maxBytes: options.maxSpoolBytes ?? DEFAULT_SPOOL_BYTES });
    cleanups.push(() => spool.close());
    let upload: { state: string; pending: number; lastError?: string } = { state: 'idle', pending: spool.stats().batches };
    const uploader = new SpoolUploader({
      spool,
      server: device.server,
      token: device.token,
      device: device.id,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onState: (s) => {
        if (s.state !== upload.state && (s.state === 'offline' || s.state === 'stopped')) log(`upload ${s.state}${s.lastError ? `: ${s.lastError}` : ''}; events stay in the spool`);
        upload = s;
        // Reported only once started (below), when the batcher exists.
        batcher.checkRoom();
      },
    });
    cleanups.push(() => uploader.stop());

    const session = newId('ses', (b) => webcrypto.getRandomValues(b));
    const shooter = new WindowShooter(watcher);
    cleanups.push(() => shooter.close());
    const recorder: DesktopRecorder = new DesktopRecorder({
      emit: (events) => batcher.take(events),
      keyOf: keyFor,
      screen: watcher.screen(),
      shoot: async (win: WindowInfo): Promise<FrameShot | null> => {
        const shot = await shooter.capture(win);
        return { format: shot.format, width: shot.width, height: shot.height, box: shot.box, data: shot.data };
      },
      scrub: identityScrubber(),
      onRedactionFailed: (reason) => log(`warning: on-device redaction failed (${reason}); typed text is no longer recorded`),
    });
    const batcher = new SpoolBatcher({
      spool,
      session,
      batchEvents,
      written: () => uploader.kick(),
      full: () => recorder.stop('spool-full'),
      room: () => recorder.resume('spool-full'),
      log,
    });
    const flush = () => batcher.flush();

    const flushTimer = setInterval(() => {
      flush();
      batcher.checkRoom();
    }, flushMs);
    cleanups.push(() => clearInterval(flushTimer));

    // Input: key and button events wait for the window to be re-read, so that a key typed right
    // after a focus change lands on the window it went to; everything stays in order behind them.
    // A window that is gone by then (the key closed it) leaves the key with the window it was
    // typed in; the change reaches the recorder after it, in order.
    let chain: Promise<void> = Promise.resolve();
    const enqueue = (step: () => unknown): void => {
      chain = chain.then(step).then(
        () => undefined,
        (error: unknown) => log(`error: ${error instanceof Error ? error.message : String(error)}`),
      );
    };
    const onInput = (events: RawInput[]) => {
      const needsWindow = events.some((e) => e.kind === 'keydown' || e.kind === 'mousedown' || e.kind === 'wheel');
      enqueue(async () => {
        if (needsWindow && (await watcher.focusMoved().catch(() => true))) {
          const fresh = await watcher.refresh().catch(() => null);
          if (fresh) recorder.focus(fresh);
        }
        recorder.input(events);
      });
    };
    watcher.onChange((win) => enqueue(() => recorder.focus(win)));
    watcher.onClose((reason) => {
      if (stopping) return;
      log(`error: lost the display (${reason}); nothing more is recorded`);
      void stop(2000);
    });
    recorder.focus(watcher.current());

    let stopping = false;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const hooks: InputHooks = await startInputHooks({
      ...(options.display ? { display: options.display } : {}),
      onInput,
      onExit: (info) => {
        if (stopping) return;
        log(`error: the input hooks stopped (${info.message}); nothing more is recorded. Restart the agent.`);
        void stop(2000);
      },
    });
    cleanups.push(() => hooks.stop());

    // Device state: consent, the kill switch and the allow-list, asked for every pollMs.
    let program: DeviceState['program'] = null;
    let settings: CaptureSettings = NOTHING;
    let pollMs = options.pollMs ?? 2000;
    let stateError: string | undefined;
    let pollTimer: NodeJS.Timeout | undefined;
    // The state changes rarely: asked with its ETag, an unchanged state is a 304 with no body.
    let etag: string | null = null;
    const poll = async (): Promise<void> => {
      try {
        const res = await doFetch(`${device.server}/v1/device/state`, {
          headers: { authorization: `Bearer ${device.token}`, ...(etag ? { 'if-none-match': etag } : {}) },
          signal: AbortSignal.timeout(5000),
        });
        if (res.status === 304) {
          stateError = undefined;
          return;
        }
        if (res.status === 401 || res.status === 403) {
          recorder.stop('consent');
          stateError = `the server refused this device (${res.status}); it may have been revoked: enroll again`;
          return;
        }
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const state = (await res.json()) as DeviceState;
        etag = res.headers.get('etag');
        stateError = undefined;
        program = state.program;
        settings = state.capture ?? NOTHING;
        recorder.configure(settings);
        if (state.paused) recorder.stop('kill-switch');
        else recorder.resume('kill-switch');
        if (state.consent.state === 'accepted') recorder.resume('consent');
        else recorder.stop('consent');
        if (options.pollMs === undefined && state.pollMs) pollMs = Math.min(Math.max(state.pollMs, 500), 4000);
      } catch (error) {
        // Offline: the last state stands (capture goes on into the spool); before any state, nothing is captured.
        stateError = `the server does not answer (${error instanceof Error ? error.message : 'error'})`;
      } finally {
        if (!stopping) {
          pollTimer = setTimeout(() => void poll(), pollMs);
          pollTimer.unref?.();
        }
      }
    };
    cleanups.push(() => clearTimeout(pollTimer));
    uploader.start();
    await poll();

    let pausedUntil: number | null = null;
    let pauseTimer: NodeJS.Timeout | undefined;
    cleanups.push(() => clearTimeout(pauseTimer));

    const status = (): AgentStatus => {
      const r = recorder.status();
      const why = r.stopped;
      const state = stopping
        ? 'stopped'
        : why.includes('kill-switch')
          ? 'program-paused'
          : why.includes('user') || why.includes('shortcut')
            ? 'paused'
            : why.includes('consent')
              ? 'waiting-for-consent'
              : why.includes('spool-full')
                ? 'spool-full'
                : r.away
                  ? 'away'
                  : 'recording';
      const summary: Record<string, string> = {
        stopped: 'Stopped: nothing is recorded.',
        'program-paused': 'Paused by the program (kill switch): nothing is recorded until it is lifted.',
        paused: `Paused by you: nothing is recorded${pausedUntil ? ` until ${new Date(pausedUntil).toLocaleTimeString()}` : ' until you resume'}.`,
        'waiting-for-consent': stateError
          ? `Not recording: ${stateError}.`
          : 'Not recording: consent to the program\'s current notice is needed first (lockstep consent accept PROGRAM).',
        'spool-full': 'Not recording: the local spool is full and the server has not taken it yet; a gap is marked.',
        away: 'Not recording this window: it is not on the program\'s allow-list (only "away" is noted).',
        recording: r.window ? `Recording ${r.window.app} — "${r.window.title}"${r.window.credential ? ' (credential prompt: no keys kept)' : ''}.` : 'Recording.',
      };
      const s = spool.stats();
      return {
        state,
        summary: summary[state] ?? state,
        session,
        startedAt: r.startedAt === null ? null : new Date(r.startedAt).toISOString(),
        window: r.window,
        pausedUntil: pausedUntil ? new Date(pausedUntil).toISOString() : null,
        stopped: why,
        events: r.events,
        screenshots: r.screenshots,
        program,
        allowList: { apps: [...settings.apps], titles: [...settings.titles] },
        spool: { batches: s.batches, bytes: s.bytes, maxBytes: s.maxBytes },
        upload: { state: upload.state, pending: s.batches, ...(upload.lastError ? { lastError: upload.lastError } : {}) },
        server: device.server,
        device: device.id,
      };
    };

    const pause = (forMs?: number): void => {
      clearTimeout(pauseTimer);
      recorder.stop('user');
      pausedUntil = forMs ? Date.now() + forMs : null;
      if (forMs) {
        pauseTimer = setTimeout(() => {
          pausedUntil = null;
          recorder.resume('user');
        }, forMs);
        pauseTimer.unref?.();
      }
      log(`paused${forMs ? ` for ${Math.round(forMs / 1000)} s` : ''}`);
    };
    const resume = (): void => {
      clearTimeout(pauseTimer);
      pausedUntil = null;
      recorder.resume('user');
      recorder.resume('shortcut');
      log('resumed');
    };

    const control: ControlServer = await startControl(options.dir, { status, pause, resume }, options.controlPort ?? 0);
    cleanups.push(() => control.close());

    async function stop(drainMs = 5000): Promise<void> {
      if (stopping) return done;
      stopping = true;
      recorder.end();
      await chain.catch(() => undefined);
      flush();
      await uploader.drain(drainMs).catch(() => false);
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch {
          // Closing one part must not keep the others open.
        }
      }
      resolveDone();
      return done;
    }

    log(`agent ${device.id} on ${device.server}: session ${session}; status page: \`lockstep agent status --page\` prints its address`);
    return { session, status, pause, resume, stop, done };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // As above.
      }
    }
    throw error;
  }
}
