/**
 * A failed target probe as one short word (`network.target.<name>.error`), so rules, reports and the
 * technician see the cause, not an errno. Pure: code in, word out.
 */
export type ProbeError =
  | 'dns' // the name does not resolve
  | 'dns_timeout' // the resolver did not answer in time
  | 'refused' // RST: nothing listens there
  | 'timeout' // no answer in time (dropped SYNs, a stalled handshake)
  | 'unreachable' // no route / host down (ICMP)
  | 'reset' // connection reset or closed during the handshake
  | 'untrusted' // certificate chain not trusted (self-signed, unknown CA)
  | 'expired' // certificate past notAfter
  | 'clock_skew' // certificate notBefore in the future: our clock is (most likely) behind
  | 'hostname_mismatch' // certificate is not for this name
  | 'tls' // any other TLS failure (protocol, cipher, alert)
  | 'error'; // anything else

const DNS_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME', 'EAI_NODATA']);

const SOCKET_FAILURES: Record<string, ProbeError> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
};

/** OpenSSL verify results (as Node names them) that mean "we do not trust who signed this". */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
]);

const TLS_FAILURES: Record<string, ProbeError> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'clock_skew',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname_mismatch',
};

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : '';
}

export function classifyDnsError(err: unknown): ProbeError {
  return DNS_FAILURES.has(codeOf(err)) ? 'dns' : 'error';
}

export function classifySocketError(err: unknown): ProbeError {
  return SOCKET_FAILURES[codeOf(err)] ?? 'error';
}

/** A failure after TCP connected: certificate verdicts first, then the socket's own errors. */
export function classifyTlsError(err: unknown): ProbeError {
  const code = codeOf(err);
  if (UNTRUSTED.has(code)) return 'untrusted';
  return TLS_FAILURES[code] ?? SOCKET_FAILURES[code] ?? 'tls';
}
