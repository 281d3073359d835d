/** Entry point of `npm start`: reads the configuration, opens the store and listens. */
import { join } from 'node:path'
import { parseConfig } from './config'
import { createServer } from './createServer'
import { createJsonLogger } from './log'
import { MemoryStore } from './store/MemoryStore'
import { SqliteStore } from './store/SqliteStore'

const SHUTDOWN_DEADLINE_MS = 5000

let config
try {
  config = parseConfig(process.env)
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(2)
}
const log = createJsonLogger(config.logLevel)
const store = config.store === 'memory' ? new MemoryStore() : new SqliteStore(join(config.dataDir, 'nappe.sqlite'))
const server = createServer({ config, store, log })
const { url, port } = await server.listen()
log.info('Nappe is listening', { url, port, store: store.kind, dataDir: config.store === 'sqlite' ? config.dataDir : null })

let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  log.info('shutting down', { signal })
  const deadline = setTimeout(() => {
    log.error('shutdown took too long; exiting')
    process.exit(1)
  }, SHUTDOWN_DEADLINE_MS)
  deadline.unref()
  server.close().then(
    () => { log.info('stopped'); process.exit(0) },
    (err: unknown) => { log.error('shutdown failed', { err }); process.exit(1) },
  )
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
