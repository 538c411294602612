import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listDirectory, readAttribute } from '../../drivers/transports/sysfs.js';
import { parseScanType, scanLayout, type ScanElement, type ScanLayout } from './iio-scan.js';

/**
 * An IIO device in sysfs (`<sysfs>/bus/iio/devices/iio:deviceN`): found by its `name` file, its
 * accelerometer attributes read, and its buffer set up (scan elements enabled, buffer switched on).
 * Every path is under the configured roots; nothing here decodes a frame (iio-scan.ts does).
 */
export const IIO_DEVICES = 'bus/iio/devices';
const AXES = ['x', 'y', 'z'] as const;
const ACCEL_ELEMENTS = ['in_accel_x', 'in_accel_y', 'in_accel_z'];

export interface IioDevice {
  /** `iio:device0`: also the character device's name under `paths.dev`. */
  id: string;
  /** Relative to the sysfs root. */
  dir: string;
  /** m/s² per count, per axis (`in_accel_<axis>_scale` over `in_accel_scale`). */
  scale: { x: number; y: number; z: number };
  offset: { x: number; y: number; z: number };
  samplingHz: number | null;
}

/** The device whose `name` is `name`, or null when none is (not present, or not an accelerometer). Throws an Error saying what is wrong with one found. */
export async function findIioDevice(sysfsRoot: string, name: string, signal?: AbortSignal): Promise<IioDevice | null> {
  for (const id of await listDirectory(sysfsRoot, IIO_DEVICES)) {
    if (!/^iio:device\d+$/.test(id)) continue;
    const dir = `${IIO_DEVICES}/${id}`;
    const read = await readAttribute(sysfsRoot, `${dir}/name`, signal);
    if (read.kind !== 'value' || read.text !== name) continue;
    const number = async (attr: string): Promise<number | null> => {
      const a = await readAttribute(sysfsRoot, `${dir}/${attr}`, signal);
      if (a.kind !== 'value') return null;
      const n = Number(a.text);
      return Number.isFinite(n) ? n : null;
    };
    const shared = await number('in_accel_scale');
    const scale = { x: 0, y: 0, z: 0 };
    const offset = { x: 0, y: 0, z: 0 };
    for (const axis of AXES) {
      const own = await number(`in_accel_${axis}_scale`);
      const s = own ?? shared;
      if (s === null || !(s > 0)) throw new Error(`${dir}: no usable in_accel_scale or in_accel_${axis}_scale (not an accelerometer?)`);
      scale[axis] = s;
      offset[axis] = (await number(`in_accel_${axis}_offset`)) ?? (await number('in_accel_offset')) ?? 0;
    }
    const samplingHz = (await number('sampling_frequency')) ?? (await number('in_accel_sampling_frequency'));
    return { id, dir, scale, offset, samplingHz: samplingHz !== null && samplingHz > 0 ? samplingHz : null };
  }
  return null;
}

/** The raw attribute of one axis (`in_accel_x_raw`), as text; null when it cannot be read. */
export async function readRawAxis(sysfsRoot: string, device: IioDevice, axis: 'x' | 'y' | 'z', signal?: AbortSignal): Promise<string | null> {
  const a = await readAttribute(sysfsRoot, `${device.dir}/in_accel_${axis}_raw`, signal);
  return a.kind === 'value' ? a.text : null;
}

/**
 * Switches the buffer on with x, y, z and (when the device has one) the timestamp enabled, and
 * returns the frame layout the kernel will use. The buffer is switched off first: scan elements
 * cannot change while it runs. Throws an Error naming the attribute that failed.
 */
export async function enableBuffer(sysfsRoot: string, device: IioDevice, length = 128): Promise<ScanLayout> {
  const path = (relative: string) => join(sysfsRoot, device.dir, relative);
  const write = async (relative: string, value: string) => {
    try {
      await writeFile(path(relative), value);
    } catch (err) {
      throw new Error(`${device.dir}/${relative}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  await write('buffer/enable', '0');
  const elements: ScanElement[] = [];
  for (const name of [...ACCEL_ELEMENTS, 'in_timestamp']) {
    const type = await readAttribute(sysfsRoot, `${device.dir}/scan_elements/${name}_type`);
    const index = await readAttribute(sysfsRoot, `${device.dir}/scan_elements/${name}_index`);
    if (type.kind !== 'value' || index.kind !== 'value') {
      if (name === 'in_timestamp') continue;
      throw new Error(`${device.dir}/scan_elements: no ${name}_type / ${name}_index (the device has no buffer)`);
    }
    await write(`scan_elements/${name}_en`, '1');
    elements.push({ name, index: Number(index.text), type: parseScanType(type.text) });
  }
  if ((await readAttribute(sysfsRoot, `${device.dir}/buffer/length`)).kind === 'value') await write('buffer/length', String(length));
  await write('buffer/enable', '1');
  return scanLayout(elements);
}

/** Switches the buffer off again (on close); a failure is not worth more than a debug line. */
export async function disableBuffer(sysfsRoot: string, device: IioDevice): Promise<void> {
  await writeFile(join(sysfsRoot, device.dir, 'buffer/enable'), '0');
}
