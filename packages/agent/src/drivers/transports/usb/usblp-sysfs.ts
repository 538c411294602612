import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * When the kernel's usblp driver owns a printer's interface (and cannot be detached), its device ID
 * is still readable at `<sysfs>/class/usbmisc/lpN/device/ieee1284_id` (text, no length prefix).
 * `lpN/device` links to the interface directory, whose parent (the USB device) has idVendor/idProduct.
 * Resolves undefined when no lp device matches or the files cannot be read.
 */
export async function readUsblpDeviceId(sysfs: string, vendorId: number, productId: number): Promise<string | undefined> {
  const base = join(sysfs, 'class', 'usbmisc');
  let entries: string[];
  try {
    entries = (await readdir(base)).filter((e) => e.startsWith('lp')).sort();
  } catch {
    return undefined;
  }
  const hex4 = (n: number) => n.toString(16).padStart(4, '0');
  for (const entry of entries) {
    try {
      const iface = await realpath(join(base, entry, 'device'));
      const [vid, pid] = await Promise.all(['idVendor', 'idProduct'].map((f) => readFile(join(dirname(iface), f), 'utf8')));
      if (vid!.trim().toLowerCase() !== hex4(vendorId) || pid!.trim().toLowerCase() !== hex4(productId)) continue;
      return await readFile(join(iface, 'ieee1284_id'), 'latin1');
    } catch {
      continue; // a half-removed device: try the next
    }
  }
  return undefined;
}
