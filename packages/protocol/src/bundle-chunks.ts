import { createHash } from 'node:crypto';
import { BUNDLE_CHUNK_BYTES, MAX_BUNDLE_BYTES, type BundleChunk } from './wire.js';

/**
 * Cuts a diagnostic bundle into `bundle_chunk` messages for the hub: every chunk carries the whole
 * bundle's size and SHA-256, so the hub can tell a complete, intact bundle from anything else. Pure.
 */
export function splitBundle(commandId: string, bundle: Buffer): BundleChunk[] {
  if (bundle.length === 0 || bundle.length > MAX_BUNDLE_BYTES) {
    throw new RangeError(`a bundle of ${bundle.length} bytes is outside 1..${MAX_BUNDLE_BYTES}`);
  }
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const total = Math.ceil(bundle.length / BUNDLE_CHUNK_BYTES);
  return Array.from({ length: total }, (_, index) => ({
    type: 'bundle_chunk',
    commandId,
    index,
    total,
    size: bundle.length,
    sha256,
    data: bundle.subarray(index * BUNDLE_CHUNK_BYTES, (index + 1) * BUNDLE_CHUNK_BYTES).toString('base64'),
  }));
}
