import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Linkified, safeHttpUrl } from '../../client/src/components/Linkified'

describe('user text in the app', () => {
  it('makes only http(s) links clickable and never injects HTML', () => {
    const html = renderToStaticMarkup(<p><Linkified text={'Voir https://clps-bw.be/projets. <img src=x onerror=alert(1)> [x](javascript:alert(1)) javascript:alert(2) data:text/html,hi'} /></p>)
    expect(html).toContain('<a href="https://clps-bw.be/projets" target="_blank" rel="noopener noreferrer nofollow">https://clps-bw.be/projets</a>.')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).not.toContain('<img')
    expect(html).not.toMatch(/href="(javascript|data):/)
    expect(html.match(/<a /g)).toHaveLength(1)
  })

  it('accepts only http and https URLs', () => {
    expect(safeHttpUrl('https://a.be/x?y=1')).toBe('https://a.be/x?y=1')
    expect(safeHttpUrl('http://a.be')).toBe('http://a.be/')
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull()
    expect(safeHttpUrl('ftp://a.be')).toBeNull()
    expect(safeHttpUrl('not a url')).toBeNull()
  })
})
