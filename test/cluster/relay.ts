import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between one node and Redis, so a test can cut that one node's link: `cut()`
 * closes its connections and refuses new ones (the node sees Redis go away), `freeze()` keeps
 * them open but lets nothing through (a cable pulled: the node notices nothing), and `mend()`
 * lets everything through again (what froze is delivered then, in order).
 */
export class RedisRelay {
  private mode: 'open' | 'cut' | 'frozen' = 'open';
  private readonly pairs = new Set<{ client: Socket; redis: Socket; held: Array<[Socket, Buffer]> }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(redisPort: number): Promise<RedisRelay> {
    let relay: RedisRelay | null = null;
    const server = createServer((client) => relay?.onClient(client, redisPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    relay = new RedisRelay(server, (server.address() as { port: number }).port);
    return relay;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.mode = 'cut';
    for (const p of this.pairs) {
      p.client.destroy();
      p.redis.destroy();
    }
    this.pairs.clear();
  }

  freeze(): void {
    this.mode = 'frozen';
  }

  mend(): void {
    this.mode = 'open';
    for (const p of this.pairs) {
      for (const [to, data] of p.held) if (!to.destroyed) to.write(data);
      p.held = [];
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }

  private onClient(client: Socket, redisPort: number): void {
    if (this.mode === 'cut') return void client.destroy();
    const redis = connect(redisPort, '127.0.0.1');
    const pair = { client, redis, held: [] as Array<[Socket, Buffer]> };
    this.pairs.add(pair);
    const forward = (to: Socket) => (data: Buffer) => {
      if (this.mode === 'frozen') pair.held.push([to, data]);
      else if (!to.destroyed) to.write(data);
    };
    client.on('data', forward(redis));
    redis.on('data', forward(client));
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      redis.destroy();
    };
    for (const s of [client, redis]) {
      s.on('error', end);
      s.on('close', end);
    }
  }
}
