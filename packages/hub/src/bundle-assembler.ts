import { createHash } from 'node:crypto';
import type { BundleChunk } from 'posdiag-protocol';

export type AssemblyOutcome =
  | { kind: 'incomplete'; received: number; total: number }
  | { kind: 'complete'; bundle: Buffer; sha256: string }
  | { kind: 'refused'; reason: string };

/** How many bundles one connection may have half-sent at once: bounds what a connection can make the hub hold. */
export const MAX_ASSEMBLIES = 2;

interface Assembly {
  total: number;
  size: number;
  sha256: string;
  pieces: (Buffer | undefined)[];
  received: number;
  bytes: number;
}

/**
 * Puts a bundle's chunks back together for one agent connection. Chunks may come in any order; every
 * chunk must agree on total, size and hash, fall inside the size announced, and come once. A complete
 * bundle is handed out only if its length and SHA-256 are the ones announced. Which command ids may
 * send bundles at all is the caller's business (see BundleIntake).
 */
export class BundleAssembler {
  private readonly assemblies = new Map<string, Assembly>();

  add(chunk: BundleChunk): AssemblyOutcome {
    const refuse = (reason: string): AssemblyOutcome => {
      this.assemblies.delete(chunk.commandId);
      return { kind: 'refused', reason: `bundle ${chunk.commandId}: ${reason}; send it again from chunk 0` };
    };
    let assembly = this.assemblies.get(chunk.commandId);
    if (!assembly) {
      if (this.assemblies.size >= MAX_ASSEMBLIES) return { kind: 'refused', reason: `bundle ${chunk.commandId}: ${MAX_ASSEMBLIES} bundles are already arriving on this connection` };
      assembly = { total: chunk.total, size: chunk.size, sha256: chunk.sha256, pieces: new Array(chunk.total), received: 0, bytes: 0 };
      this.assemblies.set(chunk.commandId, assembly);
    }
    if (chunk.total !== assembly.total || chunk.size !== assembly.size || chunk.sha256 !== assembly.sha256) {
      return refuse(`chunk ${chunk.index} announces another bundle (total, size or hash differ)`);
    }
    if (chunk.index >= assembly.total) return refuse(`chunk ${chunk.index} of ${assembly.total}`);
    if (assembly.pieces[chunk.index]) return refuse(`chunk ${chunk.index} came twice`);
    const piece = Buffer.from(chunk.data, 'base64');
    if (assembly.bytes + piece.length > assembly.size) return refuse(`more than the ${assembly.size} bytes announced`);
    assembly.pieces[chunk.index] = piece;
    assembly.received++;
    assembly.bytes += piece.length;
    if (assembly.received < assembly.total) return { kind: 'incomplete', received: assembly.received, total: assembly.total };

    this.assemblies.delete(chunk.commandId);
    const bundle = Buffer.concat(assembly.pieces as Buffer[]);
    if (bundle.length !== assembly.size) return refuse(`${bundle.length} bytes arrived, ${assembly.size} announced`);
    const sha256 = createHash('sha256').update(bundle).digest('hex');
    if (sha256 !== assembly.sha256) return refuse('its SHA-256 does not match');
    return { kind: 'complete', bundle, sha256 };
  }
}
