import { DEFAULT_SANDBOX_TOKEN } from './sandbox.server.js';
import { sandboxCliOptions } from './sandbox.cli-run.js';

describe('sandboxCliOptions', () => {
  it('defaults to 127.0.0.1:4010, the default token and no latency', () => {
    expect(sandboxCliOptions([], {})).toEqual({
      help: false,
      port: 4010,
      host: '127.0.0.1',
      token: DEFAULT_SANDBOX_TOKEN,
      latencyMs: 0,
    });
  });

  it('reads --port, --host, --token and --latency, before the SANDBOX_* variables', () => {
    const env = { SANDBOX_PORT: '1', SANDBOX_TOKEN: 'env-token' };
    expect(
      sandboxCliOptions(
        ['--port', '0', '--host', '::1', '--token', 't0k', '--latency', '250'],
        env,
      ),
    ).toEqual({
      help: false,
      port: 0,
      host: '::1',
      token: 't0k',
      latencyMs: 250,
    });
    expect(sandboxCliOptions([], env)).toMatchObject({
      port: 1,
      token: 'env-token',
    });
  });

  it.each([
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--latency', '1.5'], /--latency must be a whole number/],
    [['--latency=-1'], /--latency must be a whole number/],
    [['--prot', '1'], /Unknown option '--prot'/],
  ])('refuses %j', (argv, message) => {
    expect(() => sandboxCliOptions(argv, {})).toThrow(message);
  });

  it('asks for help with -h or --help', () => {
    expect(sandboxCliOptions(['-h'], {})).toEqual({ help: true });
    expect(sandboxCliOptions(['--help'], {})).toEqual({ help: true });
  });
});
