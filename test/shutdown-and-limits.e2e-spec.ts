import { Agent, request as httpRequest } from 'node:http';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { TEST_ID_CARD, TEST_NAME } from '@app/phone-verification/testing';
import {
  KEY_A,
  startHarness,
  startSampleApp,
  type Harness,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';
const BODY = JSON.stringify({
  name: TEST_NAME,
  phone: '13800000000',
  id_card: TEST_ID_CARD,
});

interface Answer {
  status: number;
  connection?: string;
}

/** One verification over the given agent (keep-alive or not). */
function verify(url: string, agent: Agent, body = BODY): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${PATH}`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${KEY_A}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            connection: res.headers.connection,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A keep-alive client sending back to back until the server stops it. */
async function busyClient(url: string, answers: Answer[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 10_000; i++) {
      const answer = await verify(url, agent);
      answers.push(answer);
      if (answer.connection === 'close') return;
    }
  } catch {
    // The server went away: the loop is over.
  } finally {
    agent.destroy();
  }
}

const rawConnection = (url: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
  });

const closedWithin = (socket: Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

describe.each(['express', 'fastify'])('on %s', (adapter) => {
  describe('SIGTERM', () => {
    let h: Harness;
    afterEach(() => h?.close());

    it('stops busy keep-alive clients with Connection: close and exits 0', async () => {
      h = await startHarness(
        { SAMPLE_APP_ADAPTER: adapter },
        { latencyMs: 20 },
      );
      const answers: Answer[][] = [[], []];
      const clients = answers.map((list) => busyClient(h.url, list));
      while (answers.some((list) => list.length < 3))
        await new Promise((r) => setTimeout(r, 10));
      const exitCode = await h.app.stop();
      await Promise.all(clients);
      expect(exitCode).toBe(0);
      const all = answers.flat();
      expect(all.every((a) => a.status === 200)).toBe(true);
      // Clients were told to go (a client whose socket was idle at that very
      // moment sees it closed instead, as with any keep-alive server).
      expect(all.some((a) => a.connection === 'close')).toBe(true);
      expect(h.app.output()).not.toMatch(/cut off/);
    });

    it('closes idle keep-alive sockets at once and exits 0', async () => {
      h = await startHarness({
        SAMPLE_APP_ADAPTER: adapter,
        SAMPLE_APP_SHUTDOWN_TIMEOUT_MS: '3000',
      });
      const agent = new Agent({ keepAlive: true });
      expect((await verify(h.url, agent)).status).toBe(200);
      // The socket now idles in the agent's pool; it must not hold the exit.
      expect(await h.app.stop()).toBe(0);
      agent.destroy();
    });

    it('lets a verification in flight finish, then exits 0', async () => {
      h = await startHarness(
        { SAMPLE_APP_ADAPTER: adapter },
        { latencyMs: 500 },
      );
      const inFlight = verify(h.url, new Agent({ keepAlive: true }));
      await new Promise((r) => setTimeout(r, 150));
      const exitCode = h.app.stop();
      expect(await inFlight).toEqual({ status: 200, connection: 'close' });
      expect(await exitCode).toBe(0);
    });

    it.each(['SIGINT', 'SIGTERM'] as const)(
      'with its stdout closed (the reader gone), %s still stops it: exit 0',
      async (signal) => {
        // In sandbox mode, as `npm start` runs: it logs as it stops.
        const app = await startSampleApp({ SAMPLE_APP_ADAPTER: adapter });
        const { child } = app;
        // What `npm start 2>&1 | tee log` leaves when Ctrl-C also kills tee.
        child.stdout?.destroy();
        await new Promise((r) => setTimeout(r, 100));
        const exited = new Promise<number | null>((resolve) =>
          child.once('exit', (code) => resolve(code)),
        );
        child.kill(signal);
        const code = await Promise.race([
          exited,
          new Promise<'still running'>((r) =>
            setTimeout(() => r('still running'), 10_000),
          ),
        ]);
        if (code === 'still running') child.kill('SIGKILL');
        expect(code).toBe(0);
      },
    );

    it('with no HOST it binds every IPv4 interface, and answers on a non-loopback address', async () => {
      const app = await startSampleApp({
        SAMPLE_APP_ADAPTER: adapter,
        HOST: '',
      });
      try {
        const port = new URL(app.url).port;
        expect(app.output()).toContain(`bound to 0.0.0.0:${port}`);
        const external = Object.values(networkInterfaces())
          .flat()
          .find((i) => i?.family === 'IPv4' && !i.internal);
        if (!external)
          throw new Error('this test needs a non-loopback IPv4 interface');
        const live = await fetch(`http://${external.address}:${port}/health`);
        expect(live.status).toBe(200);
      } finally {
        await app.stop();
      }
    });

    it('past the shutdown deadline exits 1, saying how many requests were cut off', async () => {
      h = await startHarness({
        SAMPLE_APP_ADAPTER: adapter,
        SAMPLE_APP_SHUTDOWN_TIMEOUT_MS: '500',
        ACEDATA_TIMEOUT_MS: '30000',
      });
      const slow = JSON.stringify({
        ...JSON.parse(BODY),
        phone: '13600000002',
      });
      const inFlight = verify(h.url, new Agent(), slow).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      expect(await h.app.stop()).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(h.app.output()).toMatch(/1 request\(s\) cut off/);
      await inFlight;
    });
  });

  describe('client timeouts and the connection cap', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        SAMPLE_APP_ADAPTER: adapter,
        SAMPLE_APP_REQUEST_TIMEOUT_MS: '2000',
        SAMPLE_APP_HEADERS_TIMEOUT_MS: '1500',
        SAMPLE_APP_MAX_CONNECTIONS: '3',
      });
    });
    afterAll(() => h.close());

    it('cuts a slow upload at the request timeout, not after 300 s', async () => {
      const socket = await rawConnection(h.url);
      socket.write(
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`,
      );
      const trickle = setInterval(() => socket.write('{'), 200);
      try {
        expect(await closedWithin(socket, 8_000)).toBe(true);
      } finally {
        clearInterval(trickle);
        socket.destroy();
      }
    });

    it('refuses connections past the cap', async () => {
      const held = await Promise.all([1, 2, 3].map(() => rawConnection(h.url)));
      try {
        const extra = await rawConnection(h.url);
        expect(await closedWithin(extra, 2_000)).toBe(true);
      } finally {
        for (const socket of held) socket.destroy();
      }
      // Once they are gone, the app answers again.
      await new Promise((r) => setTimeout(r, 100));
      expect((await verify(h.url, new Agent())).status).toBe(200);
    });
  });
});

describe('run through npm', () => {
  it('npm run start:prod says npm will not pass SIGTERM on, and names the command that does', async () => {
    const child = spawn('npm', ['run', 'start:prod'], {
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    try {
      for (
        let waited = 0;
        !output.includes('started through npm');
        waited += 50
      ) {
        if (waited > 20_000) throw new Error(`no warning in:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(output).toMatch(
        /started through npm \(npm run start:prod\): npm does not pass SIGTERM on.*node dist\/apps\/sample-app\/src\/main\.js/,
      );
    } finally {
      // The whole group: npm and the app it started.
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
