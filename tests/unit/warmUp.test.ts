import { describe, expect, it } from 'vitest'
import { warmUpUpdatePath } from '../../server/yjs/warmUp'

describe('warming up the update path at start', () => {
  it('runs updates the rules accept, so the accepting path (decode, check, apply) is the one warmed', () => {
    const warm = warmUpUpdatePath()
    expect(warm.checked).toBe(20)
    expect(warm.accepted).toBe(warm.checked)
  })
})
