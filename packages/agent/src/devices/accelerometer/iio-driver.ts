import { join } from 'node:path';
import { ConfigError } from '../../config/config-error.js';
import type { Observation, ReadingProblem, Readings } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { TimerHandle } from 'posdiag-protocol';
import type { IioAccelerometerConfig } from './config.js';
import { DropReporting } from './drop-driver-base.js';
import { DEFAULT_DROP_DETECTOR, DropDetector, type Drop, type DropDetectorOptions } from './drop-detector.js';
import { disableBuffer, enableBuffer, findIioDevice, readRawAxis, type IioDevice } from './iio-device.js';
import { FrameReader } from './iio-frames.js';
import { decodeAccelFrame, rawToG, type AccelFrameMeaning, type AccelSample } from './iio-scan.js';

/** Stillness and orientation change with every sample; the poll only reports them (and finds the device). */
const DEFAULT_TIMING = { interval: '5s', timeout: '2s' };

export interface IioDriverOptions {
  detector?: DropDetectorOptions;
  /** Hears every decoded sample (tests, the rate script). */
  onSample?: (sample: AccelSample) => void;
  /** Hears every drop as the detector reported it, in the samples' time base. */
  onDrop?: (drop: Drop) => void;
}

type Sampling = { mode: 'buffered'; reader: FrameReader } | { mode: 'raw'; timer: TimerHandle | undefined };

/**
 * A Linux IIO accelerometer. The device is found on each poll until it is; then samples flow: frames
 * from `<paths.dev>/iio:deviceN` with the buffer switched on (the default), or, where the buffer
 * cannot be set up (no scan elements, no character device, not allowed) or `mode: "raw"` says so,
 * the raw attributes polled at `rateHz`. Each sample goes to the drop detector; a drop is reported at
 * once (watch), counted as wear and kept as readings until the self-test after it passed.
 *
 * Time: a buffered sample's time is its IIO timestamp when the device has one, else its place at the
 * sampling frequency; a polled one's is the clock's. A drop's wall-clock time is the impact's place
 * in that time base carried back from the clock's now.
 */
export class IioAccelerometerDriver extends DropReporting implements Driver {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly detector: DropDetector;
  private device: IioDevice | null = null;
  private sampling: Sampling | undefined;
  private lastSampleT = Number.NaN;
  private samples = 0;
  private problems: ReadingProblem[] = [];
  private closed = false;

  constructor(
    private readonly config: IioAccelerometerConfig,
    private readonly paths: { sysfs: string; dev: string },
    ctx: DriverContext,
    private readonly options: IioDriverOptions = {},
  ) {
    super(ctx);
    if (config.name.includes('\n')) throw new ConfigError('devices.accelerometer.name: one line, as the device\'s name file holds it');
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.detector = new DropDetector(options.detector ?? DEFAULT_DROP_DETECTOR);
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    if (!this.sampling) await this.startSampling(signal);
    return this.observation();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopEmitting();
    await this.stopSampling();
  }

  protected deviceObservation(): Observation {
    const connected = this.sampling !== undefined;
    const readings: Readings = { 'accelerometer.source': 'iio', 'accelerometer.connected': connected };
    if (connected) {
      const now = this.lastSampleT;
      readings['accelerometer.mode'] = this.sampling!.mode;
      readings['accelerometer.still'] = this.detector.isStill(now);
      readings['accelerometer.orientation'] = this.detector.orientation(now);
    }
    const problems = this.problems;
    this.problems = [];
    return {
      readings,
      ...(this.device ? { identity: { kind: 'accelerometer', model: this.config.name, address: join(this.paths.dev, this.device.id) } } : {}),
      ...(problems.length ? { problems } : {}),
    };
  }

  private async startSampling(signal: AbortSignal): Promise<void> {
    let device: IioDevice | null;
    try {
      device = await findIioDevice(this.paths.sysfs, this.config.name, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      this.problems.push({ reading: 'accelerometer.connected', message: (err as Error).message });
      return;
    }
    if (!device) return;
    this.device = device;
    if (this.config.mode === 'buffered') {
      try {
        await this.startBuffered(device);
        return;
      } catch (err) {
        // The fallback the issue asks for: a device without a usable buffer is still read.
        this.ctx.log.warn({ err: (err as Error).message }, 'accelerometer buffer unusable; polling its raw values');
        this.problems.push({ message: `buffer unusable, polling raw values: ${(err as Error).message}` });
      }
    }
    this.startRaw(device);
  }

  private async startBuffered(device: IioDevice): Promise<void> {
    const layout = await enableBuffer(this.paths.sysfs, device);
    const meaning: AccelFrameMeaning = { layout, scale: device.scale, offset: device.offset };
    const reader = new FrameReader(join(this.paths.dev, device.id), layout.frameBytes);
    const hz = device.samplingHz ?? 100;
    await reader.start(
      (frames) => {
        for (const frame of frames) {
          const { x, y, z, timestampNs } = decodeAccelFrame(frame, meaning);
          this.sample({ t: timestampNs !== null ? Number(timestampNs) / 1e6 : (this.samples * 1000) / hz, x, y, z });
        }
      },
      (error) => {
        if (this.closed || this.sampling?.mode !== 'buffered' || this.sampling.reader !== reader) return;
        // The device went away (or the stream failed): found again by the next poll.
        this.ctx.log.warn({ err: error?.message ?? 'end of stream' }, 'accelerometer stream ended');
        this.sampling = undefined;
        this.changed();
      },
    );
    this.sampling = { mode: 'buffered', reader };
    this.ctx.log.info({ device: device.id, frameBytes: layout.frameBytes, elements: layout.elements.map((e) => e.name) }, 'accelerometer buffer on');
  }

  private startRaw(device: IioDevice): void {
    const sampling: Sampling = { mode: 'raw', timer: undefined };
    this.sampling = sampling;
    const periodMs = 1000 / this.config.rateHz;
    const axes = ['x', 'y', 'z'] as const;
    const tick = async () => {
      const texts = await Promise.all(axes.map((axis) => readRawAxis(this.paths.sysfs, device, axis)));
      if (this.closed || this.sampling !== sampling) return;
      const [x, y, z] = axes.map((axis, i) => (texts[i] === null ? null : rawToG(texts[i]!, device.scale[axis], device.offset[axis])));
      if (x == null || y == null || z == null) {
        this.sampling = undefined;
        this.problems.push({ reading: 'accelerometer.connected', message: `${device.dir}: in_accel_*_raw unreadable` });
        this.changed();
        return;
      }
      this.sample({ t: this.ctx.clock.now(), x, y, z });
      sampling.timer = this.ctx.clock.setTimeout(() => void tick(), periodMs);
    };
    void tick();
  }

  private sample(sample: AccelSample): void {
    this.samples++;
    this.lastSampleT = sample.t;
    this.options.onSample?.(sample);
    const drop = this.detector.push(sample);
    if (!drop) return;
    this.options.onDrop?.(drop);
    const at = Math.round(this.ctx.clock.now() - (sample.t - drop.impactAt));
    this.dropped({ at, heightM: drop.heightM, peakG: drop.peakG, orientation: drop.orientation, source: 'iio' });
  }

  private async stopSampling(): Promise<void> {
    const sampling = this.sampling;
    this.sampling = undefined;
    if (!sampling) return;
    if (sampling.mode === 'raw') {
      if (sampling.timer) this.ctx.clock.clearTimeout(sampling.timer);
      return;
    }
    sampling.reader.stop();
    if (this.device) await disableBuffer(this.paths.sysfs, this.device).catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'could not switch the accelerometer buffer off'));
  }
}
