/** Every Redis key and channel a papo cluster uses, under one prefix (docs/CLUSTER.md, "Keys"). */
export interface ClusterKeys {
  /** The one event sequence: INCR gives each event its id. */
  seq: string;
  /** The stream of every event (capped with MAXLEN ~), entry id `<event id>-0`. */
  log: string;
  /** Changes when the log is lost (Redis restarted without persistence). */
  epoch: string;
  /** Hash: name key -> {name, node, rooms, keys}: who is where, for a node starting late. */
  members: string;
  /** Hash: ban id -> the ban event as published: the bans in force, for a node starting late. */
  bans: string;
  /** Hash: name key -> the mute event as published: the mutes in force. */
  mutes: string;
  /** Prefix of a file's entry: its download URL on the node that holds it (docs/CLUSTER.md, "Files"). */
  file: string;
  /** Set of nodes that have run (the reaper looks for the dead among them). */
  nodes: string;
  /** Channel every event is published on, as `<id> <payload>`. */
  channel: string;
  /** Prefix of a name's claim (hash: node, token). */
  claim: string;
  /** Prefix of the set of a node's claims. */
  claimsOf: string;
  /** Prefix of a node's heartbeat key (expires when the node stops refreshing it). */
  alive: string;
  /** Prefix of the lock one node takes to clean up after a dead one. */
  reaping: string;
  /** Prefix of a node's mark: it was counted dead; set by its reaper, cleared when it rejoins. */
  reaped: string;
  /** Prefix of an account's hash, under its name key (docs/CLUSTER.md, "Accounts"). */
  account: string;
  /** Prefix of a confusable skeleton's set: the keys of the accounts that look like it. */
  accountLook: string;
  /** Set of every account's name key (`papo admin accounts list`). */
  accounts: string;
  /** The confusables data's Unicode version the skeletons were computed with. */
  accountsConfusables: string;
  /** The cluster's server id: key logins over plain TCP sign it, whatever node they reach. */
  serverId: string;
  /** Prefix of a failed-login counter (hash: failures, last), shared by every node. */
  loginFailures: string;
}

export function clusterKeys(prefix = 'papo:'): ClusterKeys {
  return {
    seq: `${prefix}seq`,
    log: `${prefix}log`,
    epoch: `${prefix}epoch`,
    members: `${prefix}members`,
    bans: `${prefix}bans`,
    mutes: `${prefix}mutes`,
    file: `${prefix}file:`,
    nodes: `${prefix}nodes`,
    channel: `${prefix}events`,
    claim: `${prefix}claim:`,
    claimsOf: `${prefix}claims:`,
    alive: `${prefix}alive:`,
    reaping: `${prefix}reaping:`,
    reaped: `${prefix}reaped:`,
    account: `${prefix}account:`,
    accountLook: `${prefix}account-look:`,
    accounts: `${prefix}accounts`,
    accountsConfusables: `${prefix}accounts-confusables`,
    serverId: `${prefix}server-id`,
    loginFailures: `${prefix}login-failures:`,
  };
}
