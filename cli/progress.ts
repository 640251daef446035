/**
 * The progress bar of every long command (run, energy, sweep, eval, train, demo): on stderr, only
 * when stderr is a terminal and the command prints text (never with --json), with the rate and the
 * time left. The bar redraws at least once a second while work is under way.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/** Whether a command should show a bar: a terminal on stderr, not --json, not --no-progress. */
export function progressWanted(o: { json?: boolean; progress?: boolean }): boolean {
  return process.stderr.isTTY === true && o.json !== true && o.progress !== false;
}

/** A bar labelled `label` counting `unit`s; a no-op when `enabled` is false. */
export function progressBar(label: string, enabled: boolean, unit = 'inferences'): Progress {
  if (!enabled) return NONE;
  let bar: SingleBar | undefined;
  let t0 = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    update(done, total) {
      const now = performance.now();
      if (!bar) {
        t0 = now;
        bar = new SingleBar(
          {
            format: `${label.padEnd(20)} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} | ETA {eta_formatted} | {duration_formatted}`,
            hideCursor: true,
            stream: process.stderr,
            etaBuffer: 50,
            fps: 4,
            forceRedraw: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, done, { rate: '-' });
        // Redraw every second even between updates (the elapsed time and the ETA move on).
        timer = setInterval(() => bar?.render(), 1000);
        timer.unref();
      }
      const s = (now - t0) / 1000;
      bar.setTotal(total);
      bar.update(done, { rate: s > 0 && done > 0 ? `${(done / s).toFixed(done / s >= 100 ? 0 : 1)}/s` : '-' });
    },
    stop() {
      if (timer) clearInterval(timer);
      bar?.stop();
    },
  };
}
