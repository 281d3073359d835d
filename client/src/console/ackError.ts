/** What the console shows when the server refuses a request: the one place to translate it. */
import type { TFunction } from 'i18next'
import type { AppError } from '../../../shared/errors'
import { ackErrorText } from '../errorText'

export function consoleAckError(error: AppError, t: TFunction): string {
  return ackErrorText(error, t)
}
