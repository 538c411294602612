/**
 * The printer status codes vendors' SDKs publish, and what each says in the terms of the relay's
 * `printer_status` params (app-printer-status.ts): the app may relay a code alone and let the agent
 * fill in what it says, or its own reading of the printer beside the code. Pure data; the printer
 * README's mapping table is held to it by test (test/devices/printer/app-printer.test.ts).
 *
 * Sources (printer README, "Vendor status codes"): SUNMI's printer service `updatePrinterState()`
 * (SunmiPrinter developer documentation; AIDL `woyou.aidlservice.jiuiv5.IWoyouService`), checked against
 * SDK wrappers' names for the same values; PAX's printer status codes (`IPrinter.getStatus()` and the
 * print result) as Rapyd's "Printer Status Codes" table publishes them for PAX terminals.
 */

/** What the relay's params may say (printer_status `params`, `vendorCode` aside). */
export interface RelayedFields {
  paper?: 'ok' | 'near_end' | 'end';
  cover?: 'open' | 'closed';
  overheat?: boolean;
  cutter?: 'ok' | 'error';
  online?: boolean;
}

export interface VendorStatusCode {
  /** `vendorCode` as the app relays it: `<vendor>:<code>`. */
  vendorCode: string;
  /** The vendor's own words, in short. */
  meaning: string;
  /** What the code says of the relay's fields; a field it says nothing of stays as the app gave it (or unknown). */
  fields: RelayedFields;
  /** What only the code can tell: no printer at all (`printer.connected` false), or a fault the fields have no place for. */
  implies?: { connected?: false; unrecoverableError?: true };
}

const ALL_CLEAR: RelayedFields = { paper: 'ok', cover: 'closed', overheat: false, cutter: 'ok', online: true };

export const VENDOR_STATUS_CODES: readonly VendorStatusCode[] = [
  { vendorCode: 'sunmi:1', meaning: 'printer working normally', fields: ALL_CLEAR },
  { vendorCode: 'sunmi:2', meaning: 'printer preparing (starting or updating)', fields: { online: false } },
  { vendorCode: 'sunmi:3', meaning: 'abnormal communication with the printer', fields: { online: false } },
  { vendorCode: 'sunmi:4', meaning: 'out of paper', fields: { paper: 'end', online: false } },
  { vendorCode: 'sunmi:5', meaning: 'overheated', fields: { overheat: true, online: false } },
  { vendorCode: 'sunmi:6', meaning: 'cover open', fields: { cover: 'open', online: false } },
  { vendorCode: 'sunmi:7', meaning: 'cutter abnormal', fields: { cutter: 'error', online: false } },
  { vendorCode: 'sunmi:8', meaning: 'cutter recovered', fields: { cutter: 'ok' } },
  { vendorCode: 'sunmi:9', meaning: 'black mark not detected', fields: { online: false } },
  { vendorCode: 'sunmi:505', meaning: 'no printer detected', fields: {}, implies: { connected: false } },
  { vendorCode: 'sunmi:507', meaning: 'printer firmware update failed', fields: { online: false }, implies: { unrecoverableError: true } },
  { vendorCode: 'pax:0', meaning: 'success', fields: ALL_CLEAR },
  { vendorCode: 'pax:1', meaning: 'printer busy', fields: { online: true } },
  { vendorCode: 'pax:2', meaning: 'out of paper', fields: { paper: 'end' } },
  { vendorCode: 'pax:3', meaning: 'print data packet format error (the app’s, not the printer’s)', fields: { online: true } },
  { vendorCode: 'pax:4', meaning: 'printer malfunction', fields: {}, implies: { unrecoverableError: true } },
  { vendorCode: 'pax:8', meaning: 'printer overheating', fields: { overheat: true } },
  { vendorCode: 'pax:9', meaning: 'printer voltage too low', fields: { online: false } },
  { vendorCode: 'pax:-2', meaning: 'data package too long (the app’s)', fields: { online: true } },
  { vendorCode: 'pax:-4', meaning: 'font library not installed', fields: { online: true } },
  { vendorCode: 'pax:-5', meaning: 'cover open (E500, E800, SK600, SK800)', fields: { cover: 'open' } },
  { vendorCode: 'pax:-6', meaning: 'cutter jam (E500, E800)', fields: { cutter: 'error' } },
  { vendorCode: 'pax:-16', meaning: 'printing unfinished', fields: { online: true } },
];

/** The entry for a relayed `vendorCode` (case aside); PAX's codes written as unsigned bytes (`pax:240`) are the negative ones (`pax:-16`). */
export function vendorStatusCode(vendorCode: string): VendorStatusCode | undefined {
  let key = vendorCode.trim().toLowerCase();
  const pax = /^pax:(\d{3})$/.exec(key);
  if (pax && Number(pax[1]) >= 128 && Number(pax[1]) <= 255) key = `pax:${Number(pax[1]) - 256}`;
  return VENDOR_STATUS_CODES.find((c) => c.vendorCode === key);
}
