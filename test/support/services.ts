import net from 'node:net';

/** Redis and NATS of the machine (127.0.0.1, default ports). Tests fail, never skip, when they are down. */
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export async function requireReachable(name: string, url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`${name} is required by this test and unreachable at ${url}: ${why}`));
    };
    socket.once('timeout', () => fail('timeout'));
    socket.once('error', (error) => fail(error.message));
  });
}
