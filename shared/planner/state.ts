/**
 * A plan being searched: every planned round's seating with its member lists, the running meeting and
 * visit counts (history plus plan), and exact cost deltas for the four moves of the local search:
 * swap two people in a round, move one person to another table, swap two tables' groups in a round
 * (table-question shape: changes who visits which question, nobody meets anyone new), and the
 * compound "exchange two people in every round".
 *
 * Cost of a plan: for each pair meeting k times in total, repeat * k(k-1)/2 (convex: a third meeting
 * costs more than a second); per (round, table) pairs of one organisation (org) and of one sector
 * (sector); in the table-question shape, per traveller and table visited k times, revisit * k(k-1)/2;
 * balance per person outside the round's balanced bounds; change per seat differing from the previous plan.
 */
import { W } from './model'
import type { Model } from './model'

// Local copies: a hot loop should not read them through a module binding.
const { balance: W_BALANCE, change: W_CHANGE, org: W_ORG, repeat: W_REPEAT, revisit: W_REVISIT, sector: W_SECTOR } = W

export class PlanState {
  readonly m: Model
  /** a[r][i]: table of person i in round r, -1 while unseated (construction only). */
  readonly a: Int32Array[]
  readonly mem: Int32Array[]
  readonly size: Int32Array[]
  readonly pos: Int32Array[]
  readonly meet: Uint8Array
  readonly visits: Uint8Array | null
  /** Per round: seats missing below the lower size bounds (a gap someone from a larger table could fill). */
  readonly gaps: Int32Array
  /** Cost of the parts that change with the plan (history-only terms are constants and left out). */
  cost = 0

  constructor(m: Model) {
    this.m = m
    const { n, T, R, stride } = m
    this.a = Array.from({ length: R }, () => new Int32Array(n).fill(-1))
    this.mem = Array.from({ length: R }, () => new Int32Array(T * stride))
    this.size = Array.from({ length: R }, () => new Int32Array(T))
    this.pos = Array.from({ length: R }, () => new Int32Array(n).fill(-1))
    this.meet = m.meet.slice()
    this.visits = m.visits ? m.visits.slice() : null
    this.gaps = Int32Array.from(m.lo, (lo) => lo.reduce((a, b) => a + b, 0))
    // Balance cost of empty tables, so that `cost` stays exact as people are seated.
    for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) this.cost += W_BALANCE * this.balancePenalty(r, t, 0)
  }

  balancePenalty(r: number, t: number, size: number): number {
    const lo = this.m.lo[r]![t]!, hi = this.m.hi[r]![t]!
    return size > hi ? size - hi : size < lo ? lo - size : 0
  }

  /** Cost of person i sitting with the members of table t in round r (skipping `skip`), as if i joined. */
  joinCost(r: number, i: number, t: number, skip: number): number {
    const { n, org, sector } = this.m
    const mem = this.mem[r]!, base = t * this.m.stride, end = base + this.size[r]![t]!
    const oi = org[i]!, si = sector[i]!, row = i * n
    let c = 0
    for (let p = base; p < end; p++) {
      const k = mem[p]!
      if (k === skip || k === i) continue
      c += W_REPEAT * this.meet[row + k]!
      if (oi >= 0 && org[k] === oi) c += W_ORG
      if (si >= 0 && sector[k] === si) c += W_SECTOR
    }
    return c
  }

  private travels(i: number): boolean { return this.visits !== null && this.m.host[i]! < 0 }

  /** Cost of i being at table t in round r beyond company: revisit (as if joining) and change. */
  seatCost(r: number, i: number, t: number): number {
    let c = 0
    if (this.travels(i)) c += W_REVISIT * this.visits![i * this.m.T + t]!
    const prev = this.m.prev?.[r]![i]!
    if (prev !== undefined && prev >= 0 && prev !== t) c += W_CHANGE
    return c
  }

  /** Seats an unseated person (construction). */
  place(r: number, i: number, t: number): void {
    const sz = this.size[r]![t]!
    this.cost += this.joinCost(r, i, t, -1) + this.seatCost(r, i, t)
    this.cost += W_BALANCE * (this.balancePenalty(r, t, sz + 1) - this.balancePenalty(r, t, sz))
    this.link(r, i, t)
  }

  private link(r: number, i: number, t: number): void {
    const { n, T, stride } = this.m
    const mem = this.mem[r]!, base = t * stride, sz = this.size[r]![t]!
    for (let p = base; p < base + sz; p++) {
      const k = mem[p]!
      this.meet[i * n + k]!++
      this.meet[k * n + i]!++
    }
    if (sz < this.m.lo[r]![t]!) this.gaps[r]!--
    mem[base + sz] = i
    this.pos[r]![i] = base + sz
    this.size[r]![t] = sz + 1
    this.a[r]![i] = t
    if (this.visits) this.visits[i * T + t]!++
  }

  private unlink(r: number, i: number): void {
    const { n, T, stride } = this.m
    const t = this.a[r]![i]!
    const mem = this.mem[r]!, base = t * stride, sz = this.size[r]![t]!
    const p = this.pos[r]![i]!, last = mem[base + sz - 1]!
    mem[p] = last
    this.pos[r]![last] = p
    this.size[r]![t] = sz - 1
    if (sz - 1 < this.m.lo[r]![t]!) this.gaps[r]!++
    this.a[r]![i] = -1
    this.pos[r]![i] = -1
    for (let q = base; q < base + sz - 1; q++) {
      const k = mem[q]!
      this.meet[i * n + k]!--
      this.meet[k * n + i]!--
    }
    if (this.visits) this.visits[i * T + t]!--
  }

  /** Delta of i (at A) and j (at B != A) exchanging seats in round r. */
  swapDelta(r: number, i: number, j: number): number {
    const A = this.a[r]![i]!, B = this.a[r]![j]!
    // Leaving: the meetings i has at A include this round, hence the -1 per tablemate.
    let d = this.joinCost(r, j, A, i) - this.joinCost(r, i, A, i) + W_REPEAT * (this.size[r]![A]! - 1)
    d += this.joinCost(r, i, B, j) - this.joinCost(r, j, B, j) + W_REPEAT * (this.size[r]![B]! - 1)
    d += this.seatShift(r, i, A, B) + this.seatShift(r, j, B, A)
    return d
  }

  /** Revisit and change delta of i going from table A to table B (company aside). */
  private seatShift(r: number, i: number, A: number, B: number): number {
    let d = 0
    if (this.travels(i)) {
      const T = this.m.T
      d += W_REVISIT * (this.visits![i * T + B]! - this.visits![i * T + A]! + 1)
    }
    const prev = this.m.prev?.[r]![i]!
    if (prev !== undefined && prev >= 0) d += W_CHANGE * ((B !== prev ? 1 : 0) - (A !== prev ? 1 : 0))
    return d
  }

  applySwap(r: number, i: number, j: number, delta: number): void {
    const A = this.a[r]![i]!, B = this.a[r]![j]!
    this.unlink(r, i)
    this.unlink(r, j)
    this.link(r, i, B)
    this.link(r, j, A)
    this.cost += delta
  }

  /** Delta of i moving to table B in round r; Infinity when B is full. */
  moveDelta(r: number, i: number, B: number): number {
    const A = this.a[r]![i]!
    const szA = this.size[r]![A]!, szB = this.size[r]![B]!
    if (A === B || szB >= this.m.cap[r]![B]!) return Infinity
    let d = this.joinCost(r, i, B, -1) - this.joinCost(r, i, A, i) + W_REPEAT * (szA - 1)
    d += this.seatShift(r, i, A, B)
    d += W_BALANCE * (this.balancePenalty(r, A, szA - 1) - this.balancePenalty(r, A, szA)
      + this.balancePenalty(r, B, szB + 1) - this.balancePenalty(r, B, szB))
    return d
  }

  applyMove(r: number, i: number, B: number, delta: number): void {
    this.unlink(r, i)
    this.link(r, i, B)
    this.cost += delta
  }

  /** Delta of the groups of tables A and B trading places in round r; Infinity if someone is locked or a cap breaks. */
  tableSwapDelta(r: number, A: number, B: number): number {
    const { stride, locked, cap } = this.m
    const sA = this.size[r]![A]!, sB = this.size[r]![B]!
    if (A === B || sA > cap[r]![B]! || sB > cap[r]![A]!) return Infinity
    const mem = this.mem[r]!
    let d = W_BALANCE * (this.balancePenalty(r, A, sB) + this.balancePenalty(r, B, sA)
      - this.balancePenalty(r, A, sA) - this.balancePenalty(r, B, sB))
    for (let p = A * stride; p < A * stride + sA; p++) {
      const i = mem[p]!
      if (locked[r]![i]! >= 0) return Infinity
      d += this.seatShift(r, i, A, B)
    }
    for (let p = B * stride; p < B * stride + sB; p++) {
      const i = mem[p]!
      if (locked[r]![i]! >= 0) return Infinity
      d += this.seatShift(r, i, B, A)
    }
    return d
  }

  applyTableSwap(r: number, A: number, B: number, delta: number): void {
    const { stride } = this.m
    const mem = this.mem[r]!
    const groupA = Array.from(mem.subarray(A * stride, A * stride + this.size[r]![A]!))
    const groupB = Array.from(mem.subarray(B * stride, B * stride + this.size[r]![B]!))
    this.regroup(r, [groupA, groupB], [B, A], delta)
  }

  /** Sends each group (the people of one table in round r) to its target table; `delta` is the known cost change. */
  regroup(r: number, groups: number[][], target: ArrayLike<number>, delta: number): void {
    for (const group of groups) for (const i of group) this.unlink(r, i)
    groups.forEach((group, g) => { for (const i of group) this.link(r, i, target[g]!) })
    this.cost += delta
  }

  /** People i and j exchange seats in every round where both may move and sit apart. Returns the delta and the rounds touched. */
  exchangeEverywhere(i: number, j: number): { delta: number; rounds: number[] } {
    let delta = 0
    const rounds: number[] = []
    for (let r = 0; r < this.m.R; r++) {
      if (this.m.locked[r]![i]! >= 0 || this.m.locked[r]![j]! >= 0 || this.a[r]![i] === this.a[r]![j]) continue
      const d = this.swapDelta(r, i, j)
      this.applySwap(r, i, j, d)
      delta += d
      rounds.push(r)
    }
    return { delta, rounds }
  }

  undoExchange(i: number, j: number, rounds: number[]): void {
    for (let k = rounds.length - 1; k >= 0; k--) this.applySwap(rounds[k]!, i, j, this.swapDelta(rounds[k]!, i, j))
  }

  /**
   * How much person i's seat in round r could still improve: 2 for a revisit, a size out of bounds (or
   * a table above its lower bound while another is below), a repeat or a tablemate of the same
   * organisation; 1 for a seat changed from the previous plan or a crowded sector; 0 for nothing.
   */
  trouble(r: number, i: number): number {
    const { n, T, stride, org, sector, prev } = this.m
    const t = this.a[r]![i]!
    if (this.travels(i) && this.visits![i * T + t]! > 1) return 2
    if (this.balancePenalty(r, t, this.size[r]![t]!) > 0) return 2
    if (this.gaps[r]! > 0 && this.size[r]![t]! > this.m.lo[r]![t]!) return 2
    const p = prev?.[r]![i]!
    const mem = this.mem[r]!, oi = org[i]!, si = sector[i]!
    let sameSector = 0, level = p !== undefined && p >= 0 && p !== t ? 1 : 0
    for (let q = t * stride; q < t * stride + this.size[r]![t]!; q++) {
      const k = mem[q]!
      if (k === i) continue
      if (this.meet[i * n + k]! > 1) return 2
      if (oi >= 0 && org[k] === oi) level = 2
      if (si >= 0 && sector[k] === si) sameSector++
    }
    if (level === 0 && sameSector > 0 && sameSector + 1 > Math.ceil(this.size[r]![t]! / Math.max(1, this.m.sectorCount))) level = 1
    return level
  }

  snapshot(): Int32Array[] {
    return this.a.map((row) => row.slice())
  }
}
