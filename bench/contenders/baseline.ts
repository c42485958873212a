// The practical ceiling: node:http + undici forwarding the body to the
// sandbox and returning its answer, with no validation and no framework.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = new URL('/identity/phone/check-3e', process.env.UPSTREAM_URL);
const token = process.env.UPSTREAM_TOKEN ?? '';
const dispatcher = new Agent({ connections: 1024, pipelining: 1 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    request(upstream, {
      method: 'POST',
      dispatcher,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: Buffer.concat(chunks),
    }).then(
      async (answer) => {
        const body = await answer.body.text();
        res.writeHead(answer.statusCode, {
          'content-type': 'application/json',
        });
        res.end(body);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${port} \n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
