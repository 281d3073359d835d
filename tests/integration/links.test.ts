/**
 * The links a café hands out, from the real server: `GET /api/links`, the join and facilitator links
 * given at creation, and the join QR code, when the page is opened on 127.0.0.1 of a machine with a
 * (faked) LAN address, with PUBLIC_URL, with no network, and from another host.
 */
import { request as httpRequest } from 'node:http'
import type { NetworkInterfaceInfo } from 'node:os'
import QRCode from 'qrcode'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../server/config'
import { createCafe, startServer } from '../helpers/server'
import type { TestServer } from '../helpers/server'

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` })
const lanMachine = () => ({ lo: [v4('127.0.0.1', true)], wlan0: [v4('192.168.1.50')] })
const noNetwork = () => ({ lo: [v4('127.0.0.1', true)] })

let t: TestServer | undefined
afterEach(async () => { await t?.close(); t = undefined })

/** A GET with a Host header of our choosing (fetch may not set one). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('links that work in the room', () => {
  it('opened on 127.0.0.1 of a machine on a LAN: every link uses its LAN address and the same port', async () => {
    // HOST 0.0.0.0 as with `npm start`; the test still listens on 127.0.0.1 only.
    t = await startServer({ config: { host: '0.0.0.0' }, networkInterfaces: lanMachine })
    const port = new URL(t.url).port
    const res = await fetch(`${t.url}/api/links`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toEqual({ base: `http://192.168.1.50:${port}`, source: 'lan' })

    const cafe = await createCafe(t.url) as Awaited<ReturnType<typeof createCafe>> & { qrCodeUrl: string }
    expect(cafe.joinUrl).toBe(`http://192.168.1.50:${port}/join/${cafe.joinCode}`)
    expect(cafe.facilitatorUrl).toBe(`http://192.168.1.50:${port}/facilitate/${cafe.id}#key=${cafe.facilitatorKey}`)
    expect(cafe.qrCodeUrl).toBe(`http://192.168.1.50:${port}/api/cafes/${cafe.id}/qr.svg`)

    // The join QR code encodes that same link: the same SVG as one made from it.
    const svg = await (await fetch(`${t.url}/api/cafes/${cafe.id}/qr.svg`)).text()
    expect(svg).toBe(await QRCode.toString(cafe.joinUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }))
    expect(svg).not.toBe(await QRCode.toString(`${t.url}/join/${cafe.joinCode}`, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }))
  })

  it('PUBLIC_URL wins over everything', async () => {
    t = await startServer({ config: { host: '0.0.0.0', publicUrl: 'https://nappe.example.org' }, networkInterfaces: lanMachine })
    expect(await (await fetch(`${t.url}/api/links`)).json()).toEqual({ base: 'https://nappe.example.org', source: 'public_url' })
    const cafe = await createCafe(t.url)
    expect(cafe.joinUrl).toBe(`https://nappe.example.org/join/${cafe.joinCode}`)
  })

  it('with no network address: the loopback address, and `loopback` says phones cannot use it', async () => {
    t = await startServer({ config: { host: '0.0.0.0' }, networkInterfaces: noNetwork })
    expect(await (await fetch(`${t.url}/api/links`)).json()).toEqual({ base: t.url, source: 'loopback' })
    const cafe = await createCafe(t.url)
    expect(cafe.joinUrl).toBe(`${t.url}/join/${cafe.joinCode}`)
  })

  it('a server listening on loopback only never hands out its LAN address (phones could not reach it)', async () => {
    t = await startServer({ config: { host: '127.0.0.1' }, networkInterfaces: lanMachine })
    expect((await (await fetch(`${t.url}/api/links`)).json() as { source: string }).source).toBe('loopback')
  })

  it('opened from another host (a phone on the LAN, a name): that host', async () => {
    t = await startServer({ config: { host: '0.0.0.0' }, networkInterfaces: lanMachine })
    const answer = await getWithHost(`${t.url}/api/links`, 'salle-b.local:3000')
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toEqual({ base: 'http://salle-b.local:3000', source: 'request' })
    // A Host header cannot add a path or a query to the links.
    expect(JSON.parse((await getWithHost(`${t.url}/api/links`, 'evil.example/x?y')).body)).toEqual({ base: 'http://evil.example', source: 'request' })
  })

  it('PUBLIC_URL must be an http(s) address', () => {
    expect(parseConfig({ PUBLIC_URL: 'https://nappe.example.org/' }).publicUrl).toBe('https://nappe.example.org')
    expect(parseConfig({}).publicUrl).toBeNull()
    for (const bad of ['ftp://nappe.example.org', 'javascript:alert(1)', 'nappe.example.org']) expect(() => parseConfig({ PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/)
  })
})
