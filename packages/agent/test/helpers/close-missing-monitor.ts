import { systemClock } from 'posdiag-protocol';
import { LinkMonitor } from '../../src/devices/network/link-monitor.js';
import { silentLogger } from '../../src/log/logger.js';

// Run as its own process (in its own process group) by network-driver.test.ts: starts link monitors
// whose program does not exist, closes each at once, and says so. Dying by a signal instead is the
// failure. Whether a stray kill() hits pid 0 depends on leftover memory, so it tries a few times.
for (let i = 0; i < 20; i++) {
  const monitor = new LinkMonitor(['/nonexistent/ip', '-o', 'monitor', 'link'], systemClock, silentLogger, () => {});
  monitor.start();
  await monitor.close();
}
await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write('closed\n');
