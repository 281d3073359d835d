/**
 * Rounds of an "each table its own question" café: by default one per table, following the tables as
 * they are added; a number the facilitator types stays, and the wizard says what it means, with a button
 * back to one round per table. Also says when questions and tables do not match.
 */
import { useTranslation } from 'react-i18next'
import type { Form } from './wizardForm'
import { roundsFor } from './wizardForm'

export function TableQuestionRounds({ form, onRounds, error }: { form: Form; onRounds(count: number | null): void; error: React.ReactNode }) {
  const { t } = useTranslation()
  const rounds = roundsFor(form)
  const tables = form.tables.length
  const questions = form.questions.length
  return (
    <div className="field">
      <label htmlFor="roundCount">{t('wizard.roundCount')}</label>
      <input id="roundCount" type="number" min={1} max={50} value={rounds} aria-describedby="roundCount-note"
        onChange={(e) => { const n = Math.max(1, Math.min(50, Number(e.target.value) || 1)); onRounds(n === tables ? null : n) }} />
      <div id="roundCount-note" aria-live="polite">
        {rounds === tables
          ? <p className="small muted">{t('wizard.roundsFollow', { count: rounds })}</p>
          : (
            <p className="small warn-text wizard-warning">
              {rounds < tables ? t('wizard.roundsFewer', { rounds, tables }) : t('wizard.roundsMore', { rounds, tables })}{' '}
              <button type="button" className="small" onClick={() => onRounds(null)}>{t('wizard.roundsMatch', { count: tables })}</button>
            </p>
          )}
        {questions > tables && <p className="small warn-text">{t('wizard.tooManyQuestions', { questions, tables })}</p>}
        {questions < tables && <p className="small muted">{t('wizard.sharedQuestions', { questions, tables })}</p>}
      </div>
      {error}
    </div>
  )
}
