/** What `/config.json` tells the browser page about the server it talks to (docs/WEB.md, "Certificate"). */
export interface PageConfig {
  /** With `--tls`: the certificate's fingerprint, as `papo server` prints it and `papo client` pins it. */
  tls: { fingerprint: string } | null;
}
