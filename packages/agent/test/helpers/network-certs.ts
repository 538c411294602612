import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates for TLS target probes, made with the openssl CLI: a CA, and leaves it signs with chosen
 * validity dates (`openssl ca` can back- and forward-date, which `x509 -req -days` cannot), plus a
 * self-signed leaf. EC keys, because they are made in milliseconds.
 */
export interface Pem {
  cert: string;
  key: string;
}

export function makeNetworkCerts() {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-netcerts-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]', 'default_ca = local',
      '[local]', 'dir = .', 'database = index.txt', 'new_certs_dir = .', 'serial = serial',
      'default_md = sha256', 'policy = any', 'copy_extensions = copy', 'unique_subject = no',
      '[any]', 'commonName = supplied',
    ].join('\n'),
  );
  openssl('req', '-x509', ...ec, '-days', '2', '-subj', '/CN=posdiag test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  const caCert = read('ca.pem');

  return {
    ca: caCert,
    /** A leaf for `san` (e.g. "IP:127.0.0.1") signed by the CA, valid from `start` to `end` (YYYYMMDDHHMMSSZ). */
    leaf(name: string, san: string, start: string, end: string): Pem {
      openssl('req', ...ec, '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext', '-startdate', start, '-enddate', end);
      return { cert: read(`${name}.pem`), key: read(`${name}.key`) };
    },
    /** A self-signed leaf for `san`, valid now. */
    selfSigned(name: string, san: string): Pem {
      openssl('req', '-x509', ...ec, '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
      return { cert: read(`${name}.pem`), key: read(`${name}.key`) };
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** openssl's YYYYMMDDHHMMSSZ for a time `days` from now (negative: in the past). */
export function opensslDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}
