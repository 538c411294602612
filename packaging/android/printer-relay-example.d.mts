// Types of printer-relay-example.mjs, for TypeScript callers (posdiag's own tests import it).
export interface PrinterRelay {
  relay(status: Record<string, unknown>): Promise<{ accepted: true; readings: Record<string, unknown>; evidence?: Record<string, string> }>;
  close(): void;
}
export function connectPrinterRelay(
  socketPath: string,
  handlers: { onPrint(text: string, promptId: string): boolean | Promise<boolean>; onClose?(): void },
): Promise<PrinterRelay>;
