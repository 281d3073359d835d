/** The server's log lines: JSON a machine can read, and never a secret. */
import { expect, it } from 'vitest'
import { createJsonLogger } from '../../server/log'

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: Array<Record<string, unknown>> = []
  const log = createJsonLogger(level, { write: (s: string) => { for (const l of s.split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>) } })
  return { log, lines }
}

it('writes one JSON object per line: ISO time, level as a word, the message, the fields', () => {
  const { log, lines } = capture()
  log.info('cafe created', { cafeId: 'abc', tables: 4 })
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatchObject({ level: 'info', msg: 'cafe created', cafeId: 'abc', tables: 4 })
  expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time)
})

it('redacts secret-like fields at any depth, and keeps only the name and message of errors', () => {
  const { log, lines } = capture()
  const err = Object.assign(new Error('boom'), { stack: 'at secret place', participantToken: 'tok' })
  log.warn('refused', { facilitatorKey: 'k'.repeat(43), participantToken: 't'.repeat(30), headers: { authorization: 'Bearer x', host: 'h' }, err, list: [{ secret: 's' }] })
  const line = JSON.stringify(lines[0])
  expect(line).not.toContain('k'.repeat(43))
  expect(line).not.toContain('t'.repeat(30))
  expect(line).not.toContain('Bearer')
  expect(line).not.toContain('secret place')
  expect(lines[0]).toMatchObject({ facilitatorKey: '[redacted]', participantToken: '[redacted]', headers: { authorization: '[redacted]', host: 'h' }, err: { name: 'Error', message: 'boom' }, list: [{ secret: '[redacted]' }] })
})

it('drops what is below the level', () => {
  const { log, lines } = capture('warn')
  log.info('chatty')
  log.debug('chattier')
  log.error('bad', { code: 1 })
  expect(lines.map((l) => l.level)).toEqual(['error'])
})
