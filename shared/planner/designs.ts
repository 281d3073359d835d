/**
 * Known resolvable designs, used as the starting plan when an instance fits one exactly: there the
 * local search alone rarely reaches zero repeats (every pair meets exactly once in a complete design).
 *
 * - Affine geometry over GF(q), q a prime or a prime power we have a field for: people (x, y) with
 *   x < k <= q, y < q (the first n of them, column by column), round m seats (x, y) at table
 *   y + m(x + g). Two people meet at most once over the q rounds m = 0..q-1; with n = q^2 the
 *   "vertical" round (table x) makes q + 1 (the affine plane AG(2, q): 16 people, 4 x 4, 5 rounds).
 *   Taking g = k when k < q also makes every person visit q different tables (table-question shape).
 * - Kirkman's schoolgirls: the resolvable Steiner triple system on 15 points, 7 rounds of 5 triples.
 *
 * A design is a list of rounds ("parallel classes"), each mapping point -> block, and optionally a
 * transversal: points that never share a block in those rounds (hosts can sit there, one per table).
 */

export interface Design { rounds: Int32Array[]; transversal: number[] | null }

export interface Field { q: number; add: (a: number, b: number) => number; mul: (a: number, b: number) => number }

const isPrime = (p: number) => {
  if (p < 2) return false
  for (let d = 2; d * d <= p; d++) if (p % d === 0) return false
  return true
}

/** GF(p^k) for the orders we can build: primes, powers of two up to 256, p^2 and p^3 for small odd p. */
export function field(q: number): Field | null {
  if (isPrime(q)) return { q, add: (a, b) => (a + b) % q, mul: (a, b) => (a * b) % q }
  let p = 2
  while (q % p !== 0) p++
  let k = 0
  for (let x = q; x > 1; x /= p) {
    if (x % p !== 0) return null
    k++
  }
  if (!isPrime(p)) return null
  const poly = irreducible(p, k)
  if (!poly) return null
  // Elements as base-p digit vectors (low degree first); multiplication modulo the monic polynomial.
  const digits = (a: number) => Array.from({ length: k }, (_, i) => Math.floor(a / p ** i) % p)
  const value = (d: number[]) => d.reduce((s, c, i) => s + c * p ** i, 0)
  const mulTable = new Int32Array(q * q)
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) {
      const prod = new Array<number>(2 * k - 1).fill(0)
      const da = digits(a), db = digits(b)
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) prod[i + j] = (prod[i + j]! + da[i]! * db[j]!) % p
      for (let deg = 2 * k - 2; deg >= k; deg--) {
        const c = prod[deg]!
        if (c === 0) continue
        prod[deg] = 0
        for (let i = 0; i < k; i++) prod[deg - k + i] = (((prod[deg - k + i]! - c * poly[i]!) % p) + p) % p
      }
      mulTable[a * q + b] = value(prod.slice(0, k))
    }
  }
  return {
    q,
    add: (a, b) => value(digits(a).map((d, i) => (d + digits(b)[i]!) % p)),
    mul: (a, b) => mulTable[a * q + b]!,
  }
}

/** Low coefficients of a monic irreducible polynomial of degree k over GF(p) (k <= 3 by root test; 2^k tabulated). */
function irreducible(p: number, k: number): number[] | null {
  const binary: Record<number, number> = { 2: 0b111, 3: 0b1011, 4: 0b10011, 5: 0b100101, 6: 0b1000011, 7: 0b10000011, 8: 0b100011011 }
  if (p === 2 && binary[k] !== undefined) return Array.from({ length: k }, (_, i) => (binary[k]! >> i) & 1)
  if (k > 3) return null
  for (let code = 0; code < p ** k; code++) {
    const low = Array.from({ length: k }, (_, i) => Math.floor(code / p ** i) % p)
    let root = false
    for (let x = 0; x < p && !root; x++) {
      let v = 1
      for (let i = k - 1; i >= 0; i--) v = (v * x + low[i]!) % p
      root = v === 0
    }
    if (!root) return low
  }
  return null
}

/** The first `count` rounds of the affine design for n people on q tables (k = ceil(n / q) <= q), or null. */
export function affineDesign(n: number, q: number, count: number): Int32Array[] | null {
  const k = Math.ceil(n / q)
  if (q < 2 || k < 1 || k > q || count > q + (n === q * q ? 1 : 0)) return null
  const f = field(q)
  if (!f) return null
  const g = k < q ? k : 0
  const rounds: Int32Array[] = []
  for (let m = 0; m < Math.min(q, count); m++) {
    rounds.push(Int32Array.from({ length: n }, (_, point) => {
      const x = Math.floor(point / q), y = point % q
      return f.add(y, f.mul(m, f.add(x, g)))
    }))
  }
  if (count > q) rounds.push(Int32Array.from({ length: n }, (_, point) => Math.floor(point / q)))
  return rounds
}

const KIRKMAN = [
  'ABJ CEM FKL HIN DGO', 'ACH DEI FGM JLN BKO', 'ADL BHM GIK CFN EJO', 'AEG BIL CJK DMN FHO',
  'AFI BCD GHJ EKN LMO', 'AKM DFJ EHL BGN CIO', 'BEF CGL DHK IJM ANO',
]

export function kirkmanDesign(): Int32Array[] {
  return KIRKMAN.map((day) => {
    const round = new Int32Array(15)
    day.split(' ').forEach((block, b) => { for (const c of block) round[c.charCodeAt(0) - 65] = b })
    return round
  })
}

/** Designs with `count` rounds for n people on T tables (block sizes within one). */
export function designsFor(n: number, T: number, count: number): Design[] {
  const out: Design[] = []
  if (n === 15 && T === 5 && count <= 7) out.push({ rounds: kirkmanDesign().slice(0, count), transversal: null })
  const affine = affineDesign(n, T, count)
  // Column x = 0 is a transversal of the rounds m = 0..q-1 (not of the vertical round, where it is a block).
  if (affine) out.push({ rounds: affine, transversal: count <= T ? Array.from({ length: T }, (_, y) => y) : null })
  return out
}
