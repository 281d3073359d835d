/** The words of a generated synthesis, in the café's language (not the reader's UI language). */
import type { Language } from './cafe'
import { atPlace, numberWord } from './prose/words'

export { listJoin } from './prose/words'

const MONTHS = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
} as const

/** "2011-12-09" -> "9 décembre 2011" ("1er décembre 2011") / "9 December 2011"; anything else as given. */
export function longDate(iso: string, lang: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return iso
  const month = MONTHS[lang][Number(m[2]) - 1]
  const day = Number(m[3])
  return month ? `${lang === 'fr' && day === 1 ? '1er' : day} ${month} ${m[1]}` : iso
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
/** "deux tours", "two rounds": small numbers in words. */
const inWords = (n: number, lang: Language, one: string, many: string) => `${n === 1 && lang === 'fr' && one === 'question' ? 'une' : numberWord(n, lang)} ${n === 1 ? one : many}`

export const SYNTHESIS_TEXT = {
  fr: {
    synthesis: 'Synthèse',
    gathered: (p: { people: number; date: string | null; place: string | null }) =>
      `${p.date ? `Le ${p.date}, ` : ''}${p.people > 0 ? `${plural(p.people, 'participant', 'participants')} ${p.people === 1 ? 's’est réuni' : 'se sont réunis'}` : `${p.date ? 'un' : 'Un'} World Café s’est tenu`}${p.place ? ` ${atPlace(p.place, 'fr')}` : ''}${p.people > 0 ? ' pour un World Café' : ''}.`,
    organisations: (list: string) => `Organisations représentées : ${list}.`,
    sectors: (list: string) => `Secteurs représentés : ${list}.`,
    rounds: (rounds: number, questions: number) =>
      `Les échanges se sont déroulés en ${inWords(rounds, 'fr', 'tour', 'tours')}, autour de ${questions === 1 ? 'la question' : inWords(questions, 'fr', 'question', 'questions')} :`,
    closing: 'Voici la synthèse des échanges.',
    question: (n: number, text: string) => `Question ${n} : ${text}`,
    counts: (c: { contributions: number; tables: number; rounds: number }) =>
      `${plural(c.contributions, 'contribution', 'contributions')}, ${c.tables === 1 ? 'd’une table' : `de ${c.tables} tables`}, sur ${plural(c.rounds, 'tour', 'tours')}.`,
    nothing: 'Aucune contribution n’a été écrite sur cette question.',
    frequent: (list: string) => `Mots les plus cités : ${list}.`,
    others: 'Autres contributions',
  },
  en: {
    synthesis: 'Synthesis',
    gathered: (p: { people: number; date: string | null; place: string | null }) =>
      `${p.date ? `On ${p.date}, ` : ''}${p.people > 0 ? `${plural(p.people, 'participant', 'participants')} met` : `${p.date ? 'a' : 'A'} World Café was held`}${p.place ? ` ${atPlace(p.place, 'en')}` : ''}${p.people > 0 ? ' for a World Café' : ''}.`,
    organisations: (list: string) => `Organisations represented: ${list}.`,
    sectors: (list: string) => `Sectors represented: ${list}.`,
    rounds: (rounds: number, questions: number) =>
      `The conversations took ${inWords(rounds, 'en', 'round', 'rounds')}, around ${questions === 1 ? 'the question' : inWords(questions, 'en', 'question', 'questions')}:`,
    closing: 'Here is the synthesis of the conversations.',
    question: (n: number, text: string) => `Question ${n}: ${text}`,
    counts: (c: { contributions: number; tables: number; rounds: number }) =>
      `${plural(c.contributions, 'contribution', 'contributions')}, from ${plural(c.tables, 'table', 'tables')}, over ${plural(c.rounds, 'round', 'rounds')}.`,
    nothing: 'Nothing was written on this question.',
    frequent: (list: string) => `Most cited words: ${list}.`,
    others: 'Other contributions',
  },
} as const
