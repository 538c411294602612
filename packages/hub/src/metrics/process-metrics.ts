import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricsRegistry } from './registry.js';

/** How often the event loop delay is sampled (ms): fine enough to see a stall, cheap enough to leave on. */
const LOOP_RESOLUTION_MS = 20;

/**
 * The hub process's own metrics, under the names Prometheus's client libraries use, read at each
 * scrape. Returns what stops the event loop monitor (at hub close).
 */
export function registerProcessMetrics(registry: MetricsRegistry): () => void {
  const rss = registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' });
  const cpu = registry.counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.' });
  const lag = registry.gauge({ name: 'nodejs_eventloop_lag_seconds', help: 'Mean event loop delay since the previous scrape, in seconds (perf_hooks monitorEventLoopDelay).' });
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  let cpuCounted = 0;
  registry.beforeExpose(() => {
    rss.set({}, process.memoryUsage.rss());
    const usage = process.cpuUsage();
    const seconds = (usage.user + usage.system) / 1e6;
    // The counter moves by what was spent since the last scrape, so it only goes up.
    cpu.inc({}, Math.max(0, seconds - cpuCounted));
    cpuCounted = Math.max(cpuCounted, seconds);
    // No sample yet (a scrape within the first resolution period): no delay seen.
    lag.set({}, loop.count > 0 ? loop.mean / 1e9 : 0);
    loop.reset();
  });
  return () => loop.disable();
}
