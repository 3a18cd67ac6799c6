import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.js';

/** The name of this process's group, for nginx's `user` line; null when unknown. */
function groupName(gid: number): string | null {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    return line?.split(':')[0] ?? null;
  } catch {
    return null;
  }
}

export interface Nginx {
  child: ChildProcess;
  /** The port it listens on (given to `http` as its `listen` port). */
  port: number;
  /** Its error log (read it when a request fails). */
  errorLog: string;
  /** Stops it by its PID and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's nginx on a free port (or `port`) with its own configuration in `dir` (no daemon, its pid,
 * logs and temporary files there), whose `http {}` holds the text `http(port)` returns. Started
 * as root, its workers run as `nobody` in this process's group: they read what papo's group may
 * (docs/SERVER.md, "Behind nginx"), and nothing else of root's.
 */
export async function startNginx(
  nginx: string,
  dir: string,
  http: (port: number) => string,
  /** Where it listens (a free port found beforehand); by default one found now. */
  port?: number,
): Promise<Nginx> {
  port ??= await freePort();
  const conf = join(dir, 'nginx.conf');
  const t = (name: string) => join(dir, name);
  const group = process.getuid?.() === 0 ? groupName(process.getgid?.() ?? 0) : null;
  writeFileSync(
    conf,
    `worker_processes 1;${group === null ? '' : ` user nobody ${group};`}
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${t('nb')}; proxy_temp_path ${t('np')}; fastcgi_temp_path ${t('nf')};
  uwsgi_temp_path ${t('nu')}; scgi_temp_path ${t('ns')};
${http(port)}
}
`,
  );
  const errorLog = t('nginx-error.log');
  const global = `daemon off; pid ${t('nginx.pid')}; error_log ${errorLog};`;
  const child = spawn(nginx, ['-e', errorLog, '-p', dir, '-c', conf, '-g', global], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const died = exited.then(() => {
    throw new Error(`nginx exited: ${readFileSync(errorLog, 'utf8').trim().slice(-500)}`);
  });
  died.catch(() => undefined); // once it is up, its exit is stop()'s business
  try {
    await Promise.race([waitForPort(port, 5000), died]);
  } catch (err) {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    throw err;
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
    }
    await exited;
  };
  return { child, port, errorLog, stop };
}

/**
 * The essentials of deploy/nginx.conf for `http {}` (the benchmark runs from `dist/`, without
 * `deploy/`): nginx on `listen` in front of papo's web port, uploads streamed to papo, and the
 * internal location `prefix` serving `<filesDir>/blobs/` to papo's `X-Accel-Redirect`.
 */
export function accelSite(listen: number, papoPort: number, filesDir: string, prefix: string): string {
  return `  upstream papo_web { server 127.0.0.1:${papoPort}; keepalive 16; }
  server {
    listen 127.0.0.1:${listen};
    client_max_body_size 0;
    location / {
      proxy_pass http://papo_web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_read_timeout 1h;
    }
    location ${prefix}blobs/ {
      internal;
      alias ${filesDir}/blobs/;
      sendfile on; tcp_nopush on; gzip off; max_ranges 1; etag off;
      add_header ETag $upstream_http_etag;
      add_header X-Content-Type-Options $upstream_http_x_content_type_options always;
      add_header Content-Security-Policy $upstream_http_content_security_policy always;
    }
  }`;
}
