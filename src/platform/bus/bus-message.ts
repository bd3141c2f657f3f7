import type { BusMessage } from './bus.ts';

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** Bytes are sent as they are; anything else as JSON. */
export function encodePayload(data: Uint8Array | object): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError('bus payload is not JSON-serialisable');
  return utf8Encoder.encode(json);
}

export function createBusMessage(fields: {
  subject: string;
  data: Uint8Array;
  seq: number;
  deliveryCount: number;
}): BusMessage {
  return {
    ...fields,
    text: () => utf8.decode(fields.data),
    json: <T>() => JSON.parse(utf8.decode(fields.data)) as T,
  };
}
