/**
 * A tiny local server that speaks the OpenAI chat API (`POST /v1/chat/completions`) on port 0, for the
 * tests of "Rewrite with the model": it records every request (headers and JSON body) and answers what
 * the test says: a fixed paragraph, an HTTP error, garbage, or nothing for a while.
 */
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ModelRequest { path: string; headers: IncomingHttpHeaders; body: { model?: string; messages?: Array<{ role: string; content: string }> } & Record<string, unknown>; raw: string }

export type ModelReply =
  | { content: string }
  | { status: number; body: string }
  /** Waits this long before answering `content` (or never answers, with `ms: Infinity`). */
  | { delayMs: number; content: string }

export interface FakeModel {
  /** e.g. `http://127.0.0.1:43121/v1`, for LLM_BASE_URL. */
  baseUrl: string
  requests: ModelRequest[]
  /** What the next requests get (default: a fixed paragraph). */
  reply(next: ModelReply | ((req: ModelRequest) => ModelReply)): void
  close(): Promise<void>
}

export const completion = (content: string) => JSON.stringify({
  id: 'chatcmpl-test', object: 'chat.completion', created: 0, model: 'test',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
})

export async function startFakeModel(): Promise<FakeModel> {
  const requests: ModelRequest[] = []
  let next: ModelReply | ((req: ModelRequest) => ModelReply) = { content: 'Un paragraphe.' }
  const pending = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let body: ModelRequest['body'] = {}
      try { body = JSON.parse(raw) as ModelRequest['body'] } catch { /* recorded raw */ }
      const record = { path: req.url ?? '', headers: req.headers, body, raw }
      requests.push(record)
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') { res.writeHead(404).end('{"error":"not found"}'); return }
      const reply = typeof next === 'function' ? next(record) : next
      const send = (content: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion(content))
      if ('status' in reply) res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body)
      else if ('delayMs' in reply) {
        pending.add(res)
        res.on('close', () => pending.delete(res))
        if (Number.isFinite(reply.delayMs)) setTimeout(() => { if (!res.writableEnded && !res.destroyed) send(reply.content) }, reply.delayMs)
      } else send(reply.content)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(r) { next = r },
    async close() {
      for (const res of pending) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
