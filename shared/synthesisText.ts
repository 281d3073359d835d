/** The words of a generated synthesis, in the café's language (not the reader's UI language). */
import type { Language } from './cafe'

const MONTHS = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
} as const

/** "2011-12-09" -> "9 décembre 2011" / "9 December 2011"; anything else as given. */
export function longDate(iso: string, lang: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return iso
  const month = MONTHS[lang][Number(m[2]) - 1]
  return month ? `${Number(m[3])} ${month} ${m[1]}` : iso
}

/** "a, b et c" / "a, b and c" */
export function listJoin(items: readonly string[], lang: Language): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} ${lang === 'fr' ? 'et' : 'and'} ${items.at(-1)}`
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

export const SYNTHESIS_TEXT = {
  fr: {
    synthesis: 'Synthèse',
    gathered: (p: { people: number; date: string | null; place: string | null }) =>
      `${p.date ? `Le ${p.date}, ` : ''}${p.people > 0 ? `${plural(p.people, 'participant', 'participants')} ${p.people === 1 ? 's’est réuni' : 'se sont réunis'}` : 'un World Café s’est tenu'}${p.place ? ` à ${p.place}` : ''}${p.people > 0 ? ' pour un World Café' : ''}.`,
    organisations: (list: string) => `Organisations représentées : ${list}.`,
    sectors: (list: string) => `Secteurs : ${list}.`,
    rounds: (rounds: number, questions: number) =>
      `Les échanges se sont déroulés en ${plural(rounds, 'tour', 'tours')}, autour de ${questions === 1 ? 'la question' : `${questions} questions`} :`,
    closing: 'Voici la synthèse des échanges.',
    question: (n: number, text: string) => `Question ${n} : ${text}`,
    counts: (c: { contributions: number; tables: number; rounds: number }) =>
      `${plural(c.contributions, 'contribution', 'contributions')}, ${c.tables === 1 ? 'd’une table' : `de ${c.tables} tables`}, sur ${plural(c.rounds, 'tour', 'tours')}.`,
    nothing: 'Aucune contribution n’a été écrite sur cette question.',
    frequent: (list: string) => `Mots les plus cités : ${list}.`,
    others: 'Autres contributions',
    contributions: 'Contributions',
    drawing: (table: string, round: number) => `Dessin, ${table}, tour ${round}`,
    drawings: (list: string) => `Dessins : ${list} (voir les images des nappes).`,
    tableRound: (table: string, round: number) => `${table} (tour ${round})`,
  },
  en: {
    synthesis: 'Synthesis',
    gathered: (p: { people: number; date: string | null; place: string | null }) =>
      `${p.date ? `On ${p.date}, ` : ''}${p.people > 0 ? `${plural(p.people, 'participant', 'participants')} met` : 'a World Café was held'}${p.place ? ` in ${p.place}` : ''}${p.people > 0 ? ' for a World Café' : ''}.`,
    organisations: (list: string) => `Organisations represented: ${list}.`,
    sectors: (list: string) => `Sectors: ${list}.`,
    rounds: (rounds: number, questions: number) =>
      `The conversations took ${plural(rounds, 'round', 'rounds')}, around ${questions === 1 ? 'the question' : `${questions} questions`}:`,
    closing: 'Here is the synthesis of the conversations.',
    question: (n: number, text: string) => `Question ${n}: ${text}`,
    counts: (c: { contributions: number; tables: number; rounds: number }) =>
      `${plural(c.contributions, 'contribution', 'contributions')}, from ${plural(c.tables, 'table', 'tables')}, over ${plural(c.rounds, 'round', 'rounds')}.`,
    nothing: 'Nothing was written on this question.',
    frequent: (list: string) => `Most cited words: ${list}.`,
    others: 'Other contributions',
    contributions: 'Contributions',
    drawing: (table: string, round: number) => `Drawing, ${table}, round ${round}`,
    drawings: (list: string) => `Drawings: ${list} (see the tablecloth images).`,
    tableRound: (table: string, round: number) => `${table} (round ${round})`,
  },
} as const
