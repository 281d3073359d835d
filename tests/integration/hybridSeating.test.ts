/**
 * A hybrid café through the real server: the join asks where one takes part, a remote participant sits
 * at an online table and gets into its call, someone in the room at a room table with no call, and the
 * facilitator's moves across venues are refused with their reason.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { CafeInput } from '../../shared/cafe'
import type { JoinedCall } from '../../shared/calls'
import { connect, createCafe, request, startServer } from '../helpers/server'
import type { TestServer, TestSocket } from '../helpers/server'

const hybridCafe: CafeInput = {
  title: 'Hybride', language: 'fr', shape: 'classic', roundMinutes: 10, venue: 'hybrid',
  tables: [{ name: 'Salle 1', capacity: 6 }, { name: 'Salle 2', capacity: 6 }, { name: 'En ligne', capacity: 6, online: true }],
  questions: [{ text: 'Q1' }, { text: 'Q2' }],
}

let t: TestServer | null = null
const sockets: TestSocket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close()
  await t?.close(); t = null
})

async function join(code: string, body: Record<string, unknown>) {
  const res = await fetch(`${t!.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, ...body }) })
  return { status: res.status, body: await res.json() as Record<string, unknown> & { error?: { reason?: string; fields?: Record<string, string> } } }
}

describe('hybrid café through the server', () => {
  it('a remote participant is seated at an online table and gets into its call; one in the room sits in the room', async () => {
    t = await startServer()
    const cafe = await createCafe(t.url, hybridCafe)
    const { socket: facilitator } = await connect(t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    sockets.push(facilitator)
    expect(await request(facilitator, 'cafe:open')).toMatchObject({ ok: true })

    // The join page says where the café meets; the choice is required and checked.
    const summary = await (await fetch(`${t.url}/api/join/${cafe.joinCode}`)).json() as { venue?: string }
    expect(summary.venue).toBe('hybrid')
    expect(await join(cafe.joinCode, { displayName: 'Sans choix' })).toMatchObject({ status: 400, body: { error: { reason: 'venue_required' } } })
    expect(await join(cafe.joinCode, { displayName: 'Mauvais', remote: 'yes' })).toMatchObject({ status: 400, body: { error: { reason: 'bad_data', fields: { remote: expect.any(String) } } } })
    const inRoom = await join(cafe.joinCode, { displayName: 'Salle', remote: false })
    expect(inRoom.status).toBe(201)
    expect(await request(facilitator, 'round:start')).toMatchObject({ ok: true })

    // Late, from home: at the online table at once, and into its call.
    const remote = await join(cafe.joinCode, { displayName: 'Distante', remote: true })
    expect(remote.status).toBe(201)
    const { socket, state } = await connect(t.url, cafe.id, { participantToken: remote.body.participantToken as string })
    sockets.push(socket)
    const runtime = t.server.registry.get(cafe.id)!
    const onlineTable = runtime.definition.tables.find((x) => x.online)!.id
    expect(runtime.record.seating[remote.body.participantId as string]).toBe(onlineTable)
    expect(state().participants.find((p) => p.id === remote.body.participantId)).toMatchObject({ tableId: onlineTable, remote: true })
    const joined = await request<JoinedCall>(socket, 'call:join' as never, { tableId: onlineTable, round: 1 })
    expect(joined).toMatchObject({ ok: true, data: { self: { participantId: remote.body.participantId, mode: 'talk' } } })
    expect(t.server.gateway.calls.members(cafe.id, { tableId: onlineTable, round: 1 }).map((m) => m.participantId)).toEqual([remote.body.participantId])

    // The one in the room sits at a room table, which has no call.
    const roomSeat = runtime.record.seating[inRoom.body.participantId as string]!
    expect(runtime.definition.tables.find((x) => x.id === roomSeat)!.online).toBeUndefined()

    // The facilitator cannot seat her in the room while she takes part online; changing where she takes part moves her.
    expect(await request(facilitator, 'participant:move', { participantId: remote.body.participantId, tableId: roomSeat })).toMatchObject({ ok: false, error: { reason: 'seat_room', params: { table: expect.stringMatching(/^Salle/) } } })
    expect(await request(facilitator, 'participant:setRemote', { participantId: remote.body.participantId, remote: 'no' })).toMatchObject({ ok: false, error: { reason: 'bad_data' } })
    expect(await request(facilitator, 'participant:setRemote', { participantId: remote.body.participantId, remote: false })).toMatchObject({ ok: true, data: { participant: { tableId: expect.not.stringMatching(onlineTable) } } })
    // Out of the online table's call with it.
    expect(t.server.gateway.calls.members(cafe.id, { tableId: onlineTable, round: 1 })).toEqual([])
    // A participant cannot set it for someone else: the request is the facilitator's.
    expect(await request(socket, 'participant:setRemote', { participantId: inRoom.body.participantId, remote: true })).toMatchObject({ ok: false })
  })
})

describe('hybrid café in an archive', () => {
  it('who takes part online survives an export and an import (the archive says it, the imported café knows it)', async () => {
    t = await startServer()
    const cafe = await createCafe(t.url, hybridCafe)
    const { socket: facilitator } = await connect(t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    sockets.push(facilitator)
    expect(await request(facilitator, 'cafe:open')).toMatchObject({ ok: true })
    expect((await join(cafe.joinCode, { displayName: 'Salle', remote: false })).status).toBe(201)
    expect((await join(cafe.joinCode, { displayName: 'Distante', remote: true })).status).toBe(201)
    const archive = await (await fetch(`${t.url}/api/cafes/${cafe.id}/export?format=json`, { headers: { authorization: `Bearer ${cafe.facilitatorKey}` } })).json() as { participants: Array<{ displayName: string; remote?: boolean }> }
    expect(archive.participants.map((p) => [p.displayName, p.remote ?? false])).toEqual([['Salle', false], ['Distante', true]])
    const res = await fetch(`${t.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(archive) })
    expect(res.status).toBe(201)
    const imported = t.server.registry.get(((await res.json()) as { id: string }).id)!
    const people = imported.activeParticipants()
    expect(people.map((p) => [p.displayName, p.remote === true])).toEqual([['Salle', false], ['Distante', true]])
  })
})
