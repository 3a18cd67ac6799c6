/**
 * Where the files of other nodes are found (a cluster, docs/CLUSTER.md, "Files"): each node
 * says where the files it stores can be downloaded, and a node asked for a file it does not
 * hold looks its URL up and redirects there. None on a single server.
 */
export interface FileLocator {
  /** `url`: the file's download URL on the node that holds it; `expires`: ms since 1970, 0 for never. */
  announce(token: string, url: string, expires: number): void;
  /** The download URL of the file with download token `token` on the node holding it, or null. */
  locate(token: string): Promise<string | null>;
}
