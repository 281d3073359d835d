/** A running café: a server, a facilitator connected, participants joined and seated. */
import type { CafeInput } from '../../shared/cafe'
import type { CafeView } from '../../shared/protocol'
import { tableclothDocName } from '../../shared/tablecloth'
import { questionAt } from '../../shared/cafe'
import { seatingRound } from '../../shared/lifecycle'
import type { Joined, TestServer, TestSocket } from './server'
import { connect, createCafe, joinCafe, request, startServer, twoTableCafe } from './server'
import type { ServerDeps } from '../../server/createServer'
import type { Config } from '../../server/config'

export interface Scenario {
  t: TestServer
  cafeId: string
  joinCode: string
  facilitatorKey: string
  facilitator: TestSocket
  state(): CafeView
  people: Array<Joined & { name: string }>
  docName(tableId: string, questionId: string): string
  tableOf(participantId: string): string
  /** The tablecloth a participant writes on now (their table, the current round's question). */
  docOf(participantId: string): string
  close(): Promise<void>
}

export async function runningCafe(opts: { names?: string[]; cafe?: CafeInput; start?: boolean; server?: Partial<Omit<ServerDeps, 'config'>> & { config?: Partial<Config> } } = {}): Promise<Scenario> {
  const t = await startServer(opts.server)
  const created = await createCafe(t.url, opts.cafe ?? twoTableCafe)
  const { socket: facilitator, state } = await connect(t.url, created.id, { facilitatorKey: created.facilitatorKey })
  await request(facilitator, 'cafe:open')
  const people = []
  for (const name of opts.names ?? ['Amélie', 'Bruno', 'Chloé', 'Driss']) {
    people.push({ ...(await joinCafe(t.url, created.joinCode, name)), name })
  }
  if (opts.start !== false) {
    const started = await request(facilitator, 'round:start')
    if (!started.ok) throw new Error(started.error.message)
  }
  const tableOf = (id: string) => t.server.registry.get(created.id)!.record.seating[id]!
  return {
    t, cafeId: created.id, joinCode: created.joinCode, facilitatorKey: created.facilitatorKey, facilitator, state, people,
    docName: (tableId, questionId) => tableclothDocName(created.id, tableId, questionId),
    tableOf,
    docOf(participantId) {
      const cafe = t.server.registry.get(created.id)!
      const table = tableOf(participantId)
      return tableclothDocName(created.id, table, questionAt(cafe.definition, seatingRound(cafe.lifecycle), table)!)
    },
    async close() {
      facilitator.close()
      await t.close()
    },
  }
}
