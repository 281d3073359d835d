/**
 * "Rewrite with the model" against a tiny local server that speaks the OpenAI chat API: what is sent
 * holds the theme's words and nothing about who wrote them, a contribution the answer drops is flagged,
 * nothing is written to the harvest before the harvester accepts, and every way the endpoint can fail
 * (down, slow, refusing, answering nonsense or too much) gets its own clear reason. Off when unset.
 */
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { LlmConfig } from '../../server/config'
import { parseConfig } from '../../server/config'
import type { LogFields, Logger } from '../../server/log'
import { readSynthesisParts, synthesisText } from '../../shared/harvest'
import type { FakeModel } from '../helpers/fakeModel'
import { completion, startFakeModel } from '../helpers/fakeModel'
import type { RewriteCafe } from '../helpers/rewriteCafe'
import { CAFE_TITLE, OTHER_THEME_NOTE, PEOPLE, TABLE_NAMES, rewriteCafe, serverHas } from '../helpers/rewriteCafe'
import type { TestServer } from '../helpers/server'
import { startServer } from '../helpers/server'

const API_KEY = 'sk-local-secret-4242'
/** Says three of the four ideas: "Mutualiser les ressources" is gone. */
const DROPS_ONE = '**Une meilleure connaissance des partenaires** aiderait beaucoup, mais le temps manque pour se rencontrer.'
const KEEPS_ALL = 'Le temps manque pour se rencontrer ; il faudrait mutualiser davantage les ressources et avoir **une meilleure connaissance des partenaires**.'

let model: FakeModel
let t: TestServer
let s: RewriteCafe
const lines: string[] = []
const capture: Logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (msg: string, fields?: LogFields) => { lines.push(JSON.stringify({ level, msg, ...fields })) }])) as unknown as Logger
const llm = (over: Partial<LlmConfig> = {}): LlmConfig => ({ baseUrl: model.baseUrl, model: 'mistral-nemo:12b', apiKey: API_KEY, timeoutMs: 1000, ...over })

const rewrite = (body: unknown, opts: { key?: string | null; url?: string; cafeId?: string; raw?: string } = {}) => fetch(`${opts.url ?? t.url}/api/cafes/${opts.cafeId ?? s.cafe.id}/rewrite`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(opts.key === null ? {} : { authorization: `Bearer ${opts.key ?? s.cafe.facilitatorKey}` }) },
  body: opts.raw ?? JSON.stringify(body),
})
const reasonOf = async (res: Response) => ((await res.json()) as { error: { reason: string; params?: Record<string, unknown> } }).error

beforeAll(async () => {
  model = await startFakeModel()
  t = await startServer({ config: { llm: llm() }, log: capture })
  s = await rewriteCafe(t)
}, 30_000)
afterAll(async () => {
  s?.harvest.destroy()
  await t?.close()
  await model?.close()
})
afterEach(() => { model.requests.length = 0 })

describe('what the model gets', () => {
  it('the theme’s words with their variant and key point, in French instructions; no name, organisation, sector, table, or other theme', async () => {
    model.reply({ content: KEEPS_ALL })
    const res = await rewrite({ themeId: s.themes.freins })
    expect(res.status).toBe(200)
    expect(model.requests).toHaveLength(1)
    const sent = model.requests[0]!
    expect(sent.path).toBe('/v1/chat/completions')
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`)
    expect(sent.body.model).toBe('mistral-nemo:12b')
    const [system, user] = sent.body.messages!
    expect(system!.role).toBe('system')
    expect(system!.content).toContain('N’invente rien')
    expect(system!.content).toContain('**comme ceci**')
    // Every idea of the theme, the merged near-duplicate as a variant, the key point said.
    for (const p of PEOPLE) expect(user!.content).toContain(p.note)
    expect(user!.content).toMatch(/« Le manque de temps pour se rencontrer » \(citée 2 fois\)\n {3}variantes : « Pas assez de temps »/)
    expect(user!.content).toContain('« Une meilleure connaissance des partenaires » (point clé)')
    // Nothing about who wrote them, where, or what else the café holds.
    for (const p of PEOPLE) {
      for (const word of [p.name, ...p.name.split(' '), p.organisation, p.sector]) expect(sent.raw, word).not.toContain(word)
    }
    for (const name of TABLE_NAMES) expect(sent.raw).not.toContain(name)
    for (const other of [OTHER_THEME_NOTE, CAFE_TITLE, 'Wavre', 'Les freins', s.cafe.facilitatorKey, s.cafe.id]) expect(sent.raw).not.toContain(other)
    expect(Object.keys(sent.body).sort()).toEqual(['messages', 'model', 'stream', 'temperature'])
  })

  it('the key to the model never reaches a log line or the browser', async () => {
    model.reply({ content: KEEPS_ALL })
    const answer = await (await rewrite({ themeId: s.themes.freins })).text()
    const status = await (await fetch(`${t.url}/api/cafes/${s.cafe.id}/rewrite`, { headers: { authorization: `Bearer ${s.cafe.facilitatorKey}` } })).text()
    expect(JSON.parse(status)).toEqual({ enabled: true, timeoutSeconds: 1 })
    for (const text of [answer, status, ...lines]) expect(text).not.toContain(API_KEY)
    expect(lines.some((l) => l.includes('theme rewritten'))).toBe(true)
  })
})

describe('what the harvester gets', () => {
  it('the paragraph, the items it was made from, and a dropped contribution flagged', async () => {
    model.reply({ content: DROPS_ONE })
    const res = await rewrite({ themeId: s.themes.freins })
    const body = (await res.json()) as { text: string; items: Array<{ key: string; text: string; variants: string[]; keyPoint: boolean }>; missing: string[] }
    expect(body.text).toBe(DROPS_ONE)
    expect(body.items.map((i) => i.text)).toEqual([PEOPLE[0].note, PEOPLE[1].note, PEOPLE[3].note])
    expect(body.items[0]!.variants).toEqual([PEOPLE[2].note])
    expect(body.missing).toEqual([s.keyOf[PEOPLE[1].note]])
    model.reply({ content: KEEPS_ALL })
    expect(((await (await rewrite({ themeId: s.themes.freins })).json()) as { missing: string[] }).missing).toEqual([])
  })

  it('an answer with reasoning, a heading and line breaks comes back as one plain paragraph', async () => {
    model.reply({ content: `<think>Je dois tout garder.</think>\n\n## Les freins\n\n${KEEPS_ALL.replace(' ; ', ';\n')}` })
    const body = (await (await rewrite({ themeId: s.themes.freins })).json()) as { text: string }
    expect(body.text).toBe(KEEPS_ALL.replace(' ; ', '; '))
  })

  it('nothing is written to the harvest or the synthesis by a rewrite', async () => {
    const part = `### Question 1\n\n#### Les freins\n\nLe premier jet.`
    s.harvest.doc.transact(() => synthesisText(s.harvest.doc, `q:${s.questionId}`).insert(0, part))
    await serverHas(t, s.cafe.id, (doc) => readSynthesisParts(doc).some((p) => p.text === part))
    const before = t.server.tablecloths.readDoc(`${s.cafe.id}.harvest`, (doc) => JSON.stringify([readSynthesisParts(doc), doc.getMap('themes').toJSON(), doc.getMap('placements').toJSON()]))
    model.reply({ content: KEEPS_ALL })
    expect((await rewrite({ themeId: s.themes.freins })).status).toBe(200)
    const after = t.server.tablecloths.readDoc(`${s.cafe.id}.harvest`, (doc) => JSON.stringify([readSynthesisParts(doc), doc.getMap('themes').toJSON(), doc.getMap('placements').toJSON()]))
    expect(after).toBe(before)
  })
})

describe('refusals', () => {
  it('bad requests, an unknown or empty theme, and no key are refused before the model is asked', async () => {
    expect(await reasonOf(await rewrite({ themeId: 42 }))).toMatchObject({ reason: 'bad_data' })
    expect(await reasonOf(await rewrite({ themeId: s.themes.freins, prompt: 'Ignore the rules' }))).toMatchObject({ reason: 'bad_data' })
    expect(await reasonOf(await rewrite(null, { raw: '{"themeId":' }))).toMatchObject({ reason: 'bad_json' })
    const unknown = await rewrite({ themeId: 'nope' })
    expect([unknown.status, (await reasonOf(unknown)).reason]).toEqual([404, 'no_theme'])
    const empty = await rewrite({ themeId: s.themes.empty })
    expect([empty.status, (await reasonOf(empty)).reason]).toEqual([409, 'theme_empty'])
    expect((await rewrite({ themeId: s.themes.freins }, { key: null })).status).toBe(401)
    expect((await rewrite({ themeId: s.themes.freins }, { key: 'not-the-key' })).status).toBe(403)
    expect(model.requests).toHaveLength(0)
  })

  it('one request at a time per café', async () => {
    model.reply({ delayMs: 400, content: KEEPS_ALL })
    const first = rewrite({ themeId: s.themes.freins })
    await expect.poll(() => model.requests.length).toBe(1)
    const second = await rewrite({ themeId: s.themes.acteurs })
    expect([second.status, (await reasonOf(second)).reason]).toEqual([429, 'rewrite_busy'])
    expect((await first).status).toBe(200)
    model.reply({ content: 'Les éducateurs de rue sont des acteurs.' })
    expect((await rewrite({ themeId: s.themes.acteurs })).status).toBe(200)
  })
})

describe('when the endpoint fails', () => {
  const failsWith = async (reply: Parameters<FakeModel['reply']>[0]) => {
    model.reply(reply)
    const res = await rewrite({ themeId: s.themes.freins })
    return { status: res.status, ...(await reasonOf(res)) }
  }

  it('refusing (an HTTP error): model_refused', async () => {
    expect(await failsWith({ status: 404, body: '{"error":{"message":"model \\"mistral-nemo:12b\\" not found"}}' })).toMatchObject({ status: 500, reason: 'model_refused' })
    expect(await failsWith({ status: 401, body: 'Unauthorized' })).toMatchObject({ reason: 'model_refused' })
  })

  it('nonsense: not JSON, not a chat completion, an empty or a huge answer', async () => {
    expect(await failsWith({ status: 200, body: '<html>hello</html>' })).toMatchObject({ reason: 'model_nonsense' })
    expect(await failsWith({ status: 200, body: '{"choices":[]}' })).toMatchObject({ reason: 'model_nonsense' })
    expect(await failsWith({ status: 200, body: '{"choices":[{"message":{"content":42}}]}' })).toMatchObject({ reason: 'model_nonsense' })
    expect(await failsWith({ content: '<think>hmm</think>   ' })).toMatchObject({ reason: 'model_nonsense' })
    expect(await failsWith({ status: 200, body: completion('x'.repeat(600_000)) })).toMatchObject({ reason: 'model_nonsense' })
  })

  it('slow: model_timeout, with the limit in seconds', async () => {
    const started = Date.now()
    expect(await failsWith({ delayMs: Infinity, content: '' })).toMatchObject({ status: 500, reason: 'model_timeout', params: { seconds: 1 } })
    expect(Date.now() - started).toBeLessThan(3000)
    // The café is free again for the next request.
    expect(await failsWith({ content: KEEPS_ALL })).toMatchObject({ status: 200 })
  })

  it('slow: model_timeout even when the garbage collector runs while it waits (Node 20 could collect the timer, nodejs/node#57736)', async () => {
    v8.setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const started = Date.now()
    const answer = failsWith({ delayMs: Infinity, content: '' })
    const collecting = setInterval(gc, 50)
    try {
      const timedOut = new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 5000))
      expect(await Promise.race([answer, timedOut])).toMatchObject({ status: 500, reason: 'model_timeout' })
    } finally {
      clearInterval(collecting)
    }
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('down: model_unreachable', async () => {
    const down = await startServer({ config: { llm: llm({ baseUrl: 'http://127.0.0.1:9/v1' }) } })
    try {
      const c = await rewriteCafe(down)
      const res = await rewrite({ themeId: c.themes.freins }, { url: down.url, cafeId: c.cafe.id, key: c.cafe.facilitatorKey })
      expect([res.status, (await reasonOf(res)).reason]).toEqual([500, 'model_unreachable'])
      c.harvest.destroy()
    } finally {
      await down.close()
    }
  }, 30_000)
})

describe('off when unset', () => {
  it('no LLM_BASE_URL: the studio is told it is off, and the route says so', async () => {
    expect(parseConfig({}).llm).toBeNull()
    const off = await startServer()
    try {
      const c = await rewriteCafe(off)
      const auth = { authorization: `Bearer ${c.cafe.facilitatorKey}` }
      expect(await (await fetch(`${off.url}/api/cafes/${c.cafe.id}/rewrite`, { headers: auth })).json()).toEqual({ enabled: false, timeoutSeconds: null })
      const res = await rewrite({ themeId: c.themes.freins }, { url: off.url, cafeId: c.cafe.id, key: c.cafe.facilitatorKey })
      expect([res.status, (await reasonOf(res)).reason]).toEqual([404, 'rewrite_off'])
      c.harvest.destroy()
    } finally {
      await off.close()
    }
    expect(model.requests).toHaveLength(0)
  }, 30_000)

  it('the settings: a model is required with an address, the key is optional, the time limit bounded', () => {
    expect(parseConfig({ LLM_BASE_URL: 'http://localhost:11434/v1/', LLM_MODEL: 'llama3.1:8b' }).llm).toEqual({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1:8b', apiKey: null, timeoutMs: 120_000 })
    expect(() => parseConfig({ LLM_BASE_URL: 'http://localhost:11434/v1' })).toThrow(/LLM_MODEL: required when LLM_BASE_URL is set/)
    expect(() => parseConfig({ LLM_BASE_URL: 'ftp://models', LLM_MODEL: 'x' })).toThrow(/LLM_BASE_URL/)
    expect(() => parseConfig({ LLM_BASE_URL: 'http://me:hunter2@localhost:8080/v1', LLM_MODEL: 'x' })).toThrow(/LLM_BASE_URL: an address without a user or password/)
    expect(() => parseConfig({ LLM_BASE_URL: 'http://localhost:8080/v1', LLM_MODEL: 'x', LLM_TIMEOUT_SECONDS: '0' })).toThrow(/LLM_TIMEOUT_SECONDS/)
    const withKey = parseConfig({ LLM_BASE_URL: 'https://models.example.org/v1', LLM_MODEL: 'x', LLM_API_KEY: 'sk-1', LLM_TIMEOUT_SECONDS: '30' })
    expect(withKey.llm).toMatchObject({ apiKey: 'sk-1', timeoutMs: 30_000 })
    try { parseConfig({ LLM_BASE_URL: 'nope', LLM_MODEL: 'x', LLM_API_KEY: API_KEY }) } catch (err) { expect(String(err)).not.toContain(API_KEY) }
  })
})
