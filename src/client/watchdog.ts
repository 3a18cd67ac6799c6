/**
 * Notices a dead connection: the server pings a silent JSON client every `heartbeatSeconds`,
 * but a client that talks a lot is never pinged, so after one heartbeat of silence from the
 * server this asks (`onQuiet`: send a ping), and after two it gives up (`onDead`).
 */
export class Watchdog {
  private lastHeard = Date.now();
  private asked = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onQuiet: () => void,
    private readonly onDead: () => void,
  ) {}

  /** Starts (or restarts) watching with the server's heartbeat, in ms. */
  start(heartbeatMs: number): void {
    this.stop();
    this.heard();
    this.timer = setInterval(
      () => {
        const silent = Date.now() - this.lastHeard;
        if (silent >= 2 * heartbeatMs) {
          this.stop();
          this.onDead();
        } else if (silent >= heartbeatMs && !this.asked) {
          this.asked = true;
          this.onQuiet();
        }
      },
      Math.max(250, heartbeatMs / 4),
    );
    this.timer.unref();
  }

  /** Something arrived from the server. */
  heard(): void {
    this.lastHeard = Date.now();
    this.asked = false;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
