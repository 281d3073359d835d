import { describe, expect, it } from 'vitest'
import { bestOffset, formatCountdown, offsetFromPush, offsetFromSample, timeLeftMs } from '../../shared/clock'

const SERVER_NOW = 1_700_000_000_000

describe('client clock correction', () => {
  for (const skewMs of [-7 * 60_000, -1500, 0, 2500, 3 * 3600_000]) {
    it(`shows the right time left with a device clock off by ${skewMs} ms`, () => {
      // The device clock reads server time + skew; the answer took 80 ms round trip.
      const sentAt = SERVER_NOW - 40 + skewMs
      const offset = offsetFromSample({ sentAt, serverNow: SERVER_NOW, receivedAt: sentAt + 80 })
      expect(offset.rttMs).toBe(80)
      expect(offset.offsetMs).toBeCloseTo(-skewMs, 6)
      const endsAt = SERVER_NOW + 5 * 60_000
      const localNow = SERVER_NOW + 60_000 + skewMs
      expect(timeLeftMs({ status: 'running', endsAt, durationMs: 300_000 }, localNow, offset.offsetMs)).toBe(4 * 60_000)
    })
  }

  it('trusts the sample with the shortest round trip', () => {
    const samples = [
      { sentAt: 0, serverNow: 5000, receivedAt: 400 }, // offset 4800, rtt 400
      { sentAt: 1000, serverNow: 6010, receivedAt: 1020 }, // offset 5000, rtt 20
    ]
    expect(bestOffset(samples)).toBe(5000)
    expect(bestOffset([])).toBeNull()
    expect(offsetFromPush(10_000, 9_000)).toBe(1000)
  })

  it('never counts below zero and shows a paused timer as it stands', () => {
    expect(timeLeftMs({ status: 'running', endsAt: 1000, durationMs: 1 }, 5000, 0)).toBe(0)
    expect(timeLeftMs({ status: 'paused', remainingMs: 4321, durationMs: 9999 }, 123, 99999)).toBe(4321)
    expect(formatCountdown(61_001)).toBe('1:02')
    expect(formatCountdown(60_000)).toBe('1:00')
    expect(formatCountdown(0)).toBe('0:00')
  })
})
