/** The core's only source of time, in milliseconds since the epoch (tests pass a manual one). */
export interface Clock {
  now(): number;
}
