import { describe, expect, it } from 'vitest'
import { blockedReason, pageview, readSnippet } from './core'

const env = { hostname: 'example.com', protocol: 'https:', doNotTrack: null, globalPrivacyControl: false, webdriver: false }

describe('readSnippet', () => {
  it('posts to the origin the script came from, so a first-party proxy needs no setting', () => {
    const snippet = readSnippet('https://example.com/stats/js/script.js', () => null, 'example.com')
    expect(snippet).toEqual({ domain: 'example.com', endpoint: 'https://example.com/api/event' })
  })

  it('takes data-domain and data-api when given', () => {
    const attrs: Record<string, string> = { 'data-domain': 'shop.example', 'data-api': 'https://a.example/e' }
    const snippet = readSnippet('https://cdn.example/js/script.js', (n) => attrs[n] ?? null, 'x.example')
    expect(snippet).toEqual({ domain: 'shop.example', endpoint: 'https://a.example/e' })
  })
})

describe('blockedReason', () => {
  it('sends on an ordinary page', () => expect(blockedReason(env)).toBeNull())
  it('honours Do Not Track', () => expect(blockedReason({ ...env, doNotTrack: '1' })).toBe('privacy signal'))
  it('honours Global Privacy Control', () =>
    expect(blockedReason({ ...env, globalPrivacyControl: true })).toBe('privacy signal'))
  it.each(['localhost', '127.0.0.1', '[::1]'])('skips %s', (hostname) =>
    expect(blockedReason({ ...env, hostname })).toBe('local page'))
  it('skips file: pages', () => expect(blockedReason({ ...env, protocol: 'file:' })).toBe('local page'))
  it('skips automation', () => expect(blockedReason({ ...env, webdriver: true })).toBe('automation'))
})

describe('pageview', () => {
  it('uses the short keys of the Plausible script', () => {
    const snippet = { domain: 'example.com', endpoint: 'https://example.com/api/event' }
    expect(pageview(snippet, 'https://example.com/a?b=1', '')).toEqual({
      n: 'pageview', u: 'https://example.com/a?b=1', d: 'example.com', r: null,
    })
  })
})
