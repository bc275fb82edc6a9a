import { createServer, type Socket } from 'node:net';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startComposeStack } from './compose-stack';
import { freePort } from './free-port';

/**
 * The race the split deployment test once lost: a port picked for one process is taken by
 * another before that process listens. The stack starts again, all of it, on new ports.
 */

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 4 });
});

afterAll(async () => {
  await sandbox.close();
});

it('starts every process again on new ports when the mlflow subgraph finds its port taken', async () => {
  const accepted: Socket[] = [];
  const taken = createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', () => resolve()));
  const takenPort = (taken.address() as { port: number }).port;
  const picked: number[] = [];
  // Picks go role by role, the port then the metrics port: the third is mlflow's port.
  const pickPort = async () => {
    const port = picked.length === 2 ? takenPort : await freePort();
    picked.push(port);
    return port;
  };
  try {
    const stack = await startComposeStack(sandbox, { pickPort });
    try {
      // Two rounds of 6 processes x (port, metrics port).
      expect(picked).toHaveLength(24);
      expect(stack.ports.mlflow).not.toBe(takenPort);
      expect(Object.values(stack.ports)).toEqual(picked.slice(12).filter((_, i) => i % 2 === 0));
      expect((await fetch(`http://127.0.0.1:${stack.ports.mlflow}/healthz`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  } finally {
    const closed = new Promise<void>((resolve) => taken.close(() => resolve()));
    for (const socket of accepted) socket.destroy();
    await closed;
  }
}, 90_000);
