import type { TFunction } from 'i18next'
import { typedAddress } from '../../useLinks'

/** `ABCD2345` → `ABCD 2345`: easier to read out and to copy. */
export const spacedCode = (code: string): string => `${code.slice(0, 4)} ${code.slice(4)}`

/**
 * How to join, for the room: the QR code and, for those who type, the address and the code.
 * `big` in the lobby (the QR a good half of the screen's height), compact in a corner during the rounds.
 */
export function JoinCard({ cafeId, joinCode, base, t, big }: { cafeId: string; joinCode: string; base: string; t: TFunction; big: boolean }) {
  const address = typedAddress(base)
  return (
    <section className={big ? 'pj-join big' : 'pj-join'} aria-label={t('projector.joinTitle')}>
      {big && <p className="pj-join-scan">{t('projector.scan')}</p>}
      <img className="pj-qr" src={`/api/cafes/${cafeId}/qr.svg`} alt={t('projector.qrAlt', { url: `${base}/join/${joinCode}` })} width={300} height={300} />
      <div className="pj-join-text">
        {big
          ? (
            <>
              <p className="pj-join-how">{t('projector.orGoTo')}</p>
              <p className="pj-join-address">{address}</p>
              <p className="pj-join-how">{t('projector.enterCode')}</p>
            </>
          )
          : <p className="pj-join-how">{t('projector.joinShort')} <strong className="pj-join-address">{address}</strong></p>}
        <p className="pj-join-code">{spacedCode(joinCode)}</p>
      </div>
    </section>
  )
}
