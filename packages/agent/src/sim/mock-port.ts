import type { SerialPortMock } from 'serialport';

/**
 * Puts an emulated device behind serialport's mock binding. The mock only records writes, so the
 * binding handed to the driver wraps `open`: on ports opened at `path`, every completed write is fed
 * to the device and its replies are injected as received data.
 *
 * `SerialPortMock.binding` is used, never `@serialport/binding-mock` imported directly: from ESM that
 * loads a second copy whose ports serialport does not see.
 */

type MockBinding = typeof SerialPortMock.binding;
type MockPort = Awaited<ReturnType<MockBinding['open']>>;

export interface MockPortAttachment {
  /** Give this to the driver as its serialport binding. */
  binding: MockBinding;
  /** Stops answering; ports already open stay open but go quiet. */
  detach(): void;
}

export async function attachMockPort(
  path: string,
  answer: (written: Buffer) => Buffer,
  subscribeUnsolicited: (send: (bytes: Buffer) => void) => () => void,
): Promise<MockPortAttachment> {
  const base = (await import('serialport')).SerialPortMock.binding;
  base.createPort(path, { echo: false, record: true });
  const openPorts = new Set<MockPort>();
  let attached = true;
  const deliver = (port: MockPort, bytes: Buffer) => {
    if (attached && bytes.length > 0 && port.isOpen) port.emitData(bytes);
  };
  const unsubscribe = subscribeUnsolicited((bytes) => openPorts.forEach((port) => deliver(port, bytes)));

  const binding: MockBinding = {
    ...base,
    async open(options) {
      const port = await base.open(options);
      if (options.path !== path) return port;
      openPorts.add(port);
      const write = port.write.bind(port);
      const close = port.close.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        if (attached) deliver(port, answer(buffer));
      };
      port.close = async () => {
        openPorts.delete(port);
        await close();
      };
      return port;
    },
  };
  return {
    binding,
    detach() {
      attached = false;
      unsubscribe();
    },
  };
}
