import { connect } from 'nats';
import { startNatsServer, waitForPort } from './child-servers';

describe('startNatsServer', () => {
  it('runs a JetStream-enabled nats-server on a free port and kills it on request', async () => {
    const server = await startNatsServer();
    try {
      const nc = await connect({ servers: server.url });
      const jsm = await nc.jetstreamManager();
      const info = await jsm.getAccountInfo();
      expect(info.limits).toBeDefined();
      await nc.close();
      await server.kill();
      await expect(waitForPort(server.port, 200)).rejects.toThrow(/nothing listened/);
    } finally {
      await server.dispose();
    }
  });
});
