/** Finds live cafés by id or join code, loading them from the store on first use. */
import type { CafeDefinition } from '../../shared/cafe'
import { CafeRuntime } from './CafeRuntime'
import type { CafeDeps } from './CafeRuntime'
import { newJoinCode } from './secrets'

export class CafeRegistry {
  private cafes = new Map<string, CafeRuntime>()
  private codes = new Map<string, string>()

  constructor(private deps: CafeDeps) {}

  /** Loads every café that is not closed, so that their timers run even before anyone connects. */
  resumeOpenCafes(): number {
    const ids = this.deps.writer.store.listOpenCafeIds()
    for (const id of ids) this.get(id)
    return ids.length
  }

  get(id: string): CafeRuntime | null {
    const cached = this.cafes.get(id)
    if (cached) return cached
    let record, participants
    try {
      record = this.deps.writer.store.getCafe(id)
      if (!record) return null
      participants = this.deps.writer.store.listParticipants(id)
    } catch (err) {
      this.deps.log.error('could not read a café from the store', { cafeId: id, err })
      return null
    }
    return this.register(new CafeRuntime(record, participants, this.deps))
  }

  /** Whether the café is live here now (never loads it). */
  has(id: string): boolean {
    return this.cafes.has(id)
  }

  byJoinCode(code: string): CafeRuntime | null {
    const id = this.codes.get(code)
    if (id) return this.get(id)
    try {
      const record = this.deps.writer.store.getCafeByJoinCode(code)
      return record ? this.get(record.id) : null
    } catch (err) {
      this.deps.log.error('could not read a café from the store', { err })
      return null
    }
  }

  create(definition: CafeDefinition): { cafe: CafeRuntime; facilitatorKey: string } {
    let code = newJoinCode()
    while (this.byJoinCode(code)) code = newJoinCode()
    const created = CafeRuntime.create(definition, code, this.deps.clock.now(), this.deps)
    this.register(created.cafe)
    return created
  }

  all(): CafeRuntime[] {
    return [...this.cafes.values()]
  }

  /** Forgets a café this node no longer serves (another node took it): its timers stop, nothing more is written. */
  evict(id: string): void {
    const cafe = this.cafes.get(id)
    if (!cafe) return
    cafe.dispose()
    this.cafes.delete(id)
    this.codes.delete(cafe.record.joinCode)
  }

  dispose(): void {
    for (const c of this.cafes.values()) c.dispose()
  }

  private register(cafe: CafeRuntime): CafeRuntime {
    this.cafes.set(cafe.id, cafe)
    this.codes.set(cafe.record.joinCode, cafe.id)
    cafe.schedule()
    cafe.resumePlanning()
    return cafe
  }
}
