import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, SECRET_BYTES } from '../../shared/constants'

/** A long random secret (256 bits), URL-safe. */
export const newSecret = (): string => randomBytes(SECRET_BYTES).toString('base64url')

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex')

/** Constant-time check of a secret against its stored hash. */
export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex')
  const b = Buffer.from(hash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}

export function newJoinCode(): string {
  let code = ''
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)]
  return code
}

/** Join codes are typed by people: accept lower case, spaces and dashes. */
export const normalizeJoinCode = (input: string): string => input.toUpperCase().replace(/[\s-]/g, '')
