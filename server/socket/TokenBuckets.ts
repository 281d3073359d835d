/**
 * Token buckets by key: each key's bucket holds up to `burst` points and refills `perSecond` points a
 * second. Synchronous and driven by an injected `now` (milliseconds, monotonic), so a test can replay it.
 */

export interface BucketRate {
  /** Points a bucket holds when full: what a burst may spend at once. */
  burst: number
  /** Points given back each second: what may be spent steadily. */
  perSecond: number
}

interface Bucket { points: number; at: number }

/** Buckets are swept (full ones forgotten) when the map reaches this size, then twice the size left. */
const FIRST_SWEEP_AT_KEYS = 1024

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()
  private sweepAt = FIRST_SWEEP_AT_KEYS

  constructor(readonly rate: BucketRate, private readonly now: () => number) {}

  /** Takes `cost` points from `key`'s bucket. False, and nothing taken, when it holds fewer. */
  take(key: string, cost: number): boolean {
    const now = this.now()
    const bucket = this.buckets.get(key)
    const points = bucket ? this.level(bucket, now) : this.rate.burst
    const ok = points >= cost
    const left = ok ? points - cost : points
    if (bucket) {
      bucket.points = left
      bucket.at = now
    } else if (left < this.rate.burst) {
      this.buckets.set(key, { points: left, at: now })
      if (this.buckets.size >= this.sweepAt) this.sweep(now)
    }
    return ok
  }

  /** Gives back points taken for something that was not done after all. */
  refund(key: string, cost: number): void {
    const bucket = this.buckets.get(key)
    if (bucket) bucket.points = Math.min(this.rate.burst, bucket.points + cost)
  }

  /** Points `key` could spend now. */
  available(key: string): number {
    const bucket = this.buckets.get(key)
    return bucket ? this.level(bucket, this.now()) : this.rate.burst
  }

  /** Keys whose bucket is not full (the others are not stored). */
  get size(): number {
    return this.buckets.size
  }

  private level(bucket: Bucket, now: number): number {
    return Math.min(this.rate.burst, bucket.points + (Math.max(0, now - bucket.at) / 1000) * this.rate.perSecond)
  }

  /** A full bucket is the same as no bucket: forget those, so memory follows the keys active lately. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (this.level(bucket, now) >= this.rate.burst) this.buckets.delete(key)
    this.sweepAt = Math.max(FIRST_SWEEP_AT_KEYS, this.buckets.size * 2)
  }
}
