/** The rule of the links' base (server/http/publicUrl.ts), with faked network interfaces. */
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, expect, it } from 'vitest'
import { isLoopbackHost, lanAddress, linkBase, startupLinkBase } from '../../server/http/publicUrl'
import type { LinkRule, NetworkInterfaces } from '../../server/http/publicUrl'

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` })
const v6 = (address: string, internal = false): NetworkInterfaceInfo => ({ address, family: 'IPv6', internal, netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', cidr: `${address}/64`, scopeid: 0 })
const faked = (dict: Record<string, NetworkInterfaceInfo[]>): NetworkInterfaces => () => dict

const loopbackOnly = faked({ lo: [v4('127.0.0.1', true), v6('::1', true)] })
const laptop = faked({ lo: [v4('127.0.0.1', true)], docker0: [v4('172.17.0.1')], wlan0: [v6('fe80::1'), v4('192.168.1.20')] })
const rule = (over: Partial<LinkRule> = {}): LinkRule => ({ publicUrl: null, listenHost: '0.0.0.0', port: 3000, interfaces: laptop, ...over })

describe('the links\' base', () => {
  it('is PUBLIC_URL when it is set, whatever the request', () => {
    expect(linkBase(rule({ publicUrl: 'https://nappe.example.org' }), { protocol: 'http', host: 'localhost:3000' })).toEqual({ base: 'https://nappe.example.org', source: 'public_url' })
    expect(linkBase(rule({ publicUrl: 'https://nappe.example.org' }), { protocol: 'http', host: '192.168.1.20:3000' }).source).toBe('public_url')
  })

  it('is the machine\'s LAN address, with the request\'s port, when the page was opened on localhost', () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '127.1.2.3:3000', '[::1]:3000', 'LOCALHOST:3000', 'nappe.localhost:3000']) {
      expect(linkBase(rule(), { protocol: 'http', host }), host).toEqual({ base: 'http://192.168.1.20:3000', source: 'lan' })
    }
    // The port the browser used (a proxy in front on another port): the phones need that one.
    expect(linkBase(rule(), { protocol: 'http', host: 'localhost:8080' }).base).toBe('http://192.168.1.20:8080')
    expect(linkBase(rule(), { protocol: 'http', host: 'localhost' }).base).toBe('http://192.168.1.20')
    // No Host header at all: the port listened on.
    expect(linkBase(rule({ port: 4100 }), { protocol: 'http', host: undefined })).toEqual({ base: 'http://192.168.1.20:4100', source: 'lan' })
  })

  it('is the request\'s own host when it is not loopback', () => {
    expect(linkBase(rule(), { protocol: 'http', host: '192.168.1.20:3000' })).toEqual({ base: 'http://192.168.1.20:3000', source: 'request' })
    expect(linkBase(rule(), { protocol: 'https', host: 'cafe.example.org' })).toEqual({ base: 'https://cafe.example.org', source: 'request' })
    expect(linkBase(rule(), { protocol: 'http', host: 'salle-b.local:3000' }).source).toBe('request')
  })

  it('stays on loopback, and says so, with no network address or when the server listens on loopback only', () => {
    expect(linkBase(rule({ interfaces: loopbackOnly }), { protocol: 'http', host: 'localhost:3000' })).toEqual({ base: 'http://localhost:3000', source: 'loopback' })
    expect(linkBase(rule({ interfaces: faked({}) }), { protocol: 'http', host: '127.0.0.1:3000' })).toEqual({ base: 'http://127.0.0.1:3000', source: 'loopback' })
    // HOST=127.0.0.1: phones could not reach the LAN address anyway.
    expect(linkBase(rule({ listenHost: '127.0.0.1' }), { protocol: 'http', host: 'localhost:3000' }).source).toBe('loopback')
    // A machine whose interfaces cannot be read is treated as having none.
    expect(linkBase(rule({ interfaces: () => { throw new Error('uv_interface_addresses') } }), { protocol: 'http', host: 'localhost:3000' }).source).toBe('loopback')
  })

  it('a malformed Host header falls back to localhost and the rule', () => {
    expect(linkBase(rule(), { protocol: 'http', host: 'bad host/x' })).toEqual({ base: 'http://192.168.1.20:3000', source: 'lan' })
  })

  it('announced at start: what a browser on this computer would be given', () => {
    expect(startupLinkBase(rule({ port: 3000 }))).toEqual({ base: 'http://192.168.1.20:3000', source: 'lan' })
    expect(startupLinkBase(rule({ interfaces: loopbackOnly }))).toEqual({ base: 'http://localhost:3000', source: 'loopback' })
    expect(startupLinkBase(rule({ publicUrl: 'https://x.example' })).source).toBe('public_url')
  })
})

describe('the machine\'s LAN address', () => {
  it('prefers a real network card to a virtual bridge, and private ranges, never link-local or loopback', () => {
    expect(lanAddress(laptop)).toBe('192.168.1.20')
    expect(lanAddress(faked({ vboxnet0: [v4('192.168.56.1')], eth0: [v4('10.0.0.7')] }))).toBe('10.0.0.7')
    expect(lanAddress(faked({ eth0: [v4('169.254.3.4')], wlan0: [v4('172.20.1.5')] }))).toBe('172.20.1.5')
    expect(lanAddress(faked({ eth0: [v4('203.0.113.9')], wlan0: [v4('10.1.1.1')] }))).toBe('10.1.1.1')
    expect(lanAddress(faked({ eth0: [v4('203.0.113.9')] }))).toBe('203.0.113.9')
    // Only a virtual bridge: better than nothing (a VM's host reached from the VM).
    expect(lanAddress(faked({ docker0: [v4('172.17.0.1')] }))).toBe('172.17.0.1')
    expect(lanAddress(loopbackOnly)).toBeNull()
    expect(lanAddress(faked({ eth0: [v6('2001:db8::1')] }))).toBeNull()
  })

  it('knows loopback hosts', () => {
    for (const h of ['localhost', 'a.localhost', '127.0.0.1', '127.255.0.1', '::1', '[::1]', '::ffff:127.0.0.1', '[::ffff:7f00:1]']) expect(isLoopbackHost(h), h).toBe(true)
    for (const h of ['192.168.1.20', 'example.org', 'localhost.example.org', '128.0.0.1', '::2', '10.0.0.1']) expect(isLoopbackHost(h), h).toBe(false)
  })
})
