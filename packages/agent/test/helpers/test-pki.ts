import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Throwaway X.509 material made with the openssl CLI in a temp dir: CAs, and certificates they sign.
 * PEM contents come back as strings; `cleanup()` removes the dir.
 */
export function makeTestPki() {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-pki-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    /** A self-signed CA; returns its certificate. */
    ca(name: string): string {
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
      return read(`${name}.pem`);
    },
    /** A certificate for `cn` signed by CA `ca`, with optional extensions (e.g. "subjectAltName=IP:127.0.0.1"). */
    cert(name: string, cn: string, ca: string, ext?: string): { cert: string; key: string } {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      const extArgs: string[] = [];
      if (ext) {
        writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
        extArgs.push('-extfile', `${name}.ext`);
      }
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, ...extArgs);
      return { cert: read(`${name}.pem`), key: read(`${name}.key`) };
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
