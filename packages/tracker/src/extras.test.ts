// The extras module against a recording `window.fieldmark` whose snippet asks for its features.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setURL, trackListeners, undoListeners } from './listeners.test-helper'

let calls: unknown[][] = []

async function run(attributes: string[]): Promise<void> {
  calls = []
  const fieldmark = Object.assign((...args: unknown[]) => calls.push(args), {
    a: (name: string) => (attributes.includes(name) ? '' : null),
  })
  Object.assign(window, { fieldmark })
  trackListeners()
  vi.resetModules()
  await import('./extras')
}

function click(href: string, init: MouseEventInit = {}, type = 'click'): void {
  document.body.innerHTML = `<a href="${href}"><span>go</span></a>`
  document.querySelector('a')!.addEventListener('click', (e) => e.preventDefault()) // stay on the page
  document.querySelector('span')!.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, ...init }))
}

afterEach(() => {
  undoListeners()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
  delete (window as { fieldmark?: unknown }).fieldmark
})

describe('extras', () => {
  it('records outbound links (click and middle click) and file downloads, without their query', async () => {
    setURL('https://example.com/')
    await run(['outbound-links', 'file-downloads'])
    click('https://partner.example/offer?ref=me')
    click('https://partner.example/b', { button: 1 }, 'auxclick')
    click('/files/report-2026.pdf?token=x')
    click('/pricing') // same site, not a file: nothing
    click('mailto:ana@example.com')
    expect(calls).toEqual([
      ['Outbound Link: Click', { props: { url: 'https://partner.example/offer' } }],
      ['Outbound Link: Click', { props: { url: 'https://partner.example/b' } }],
      ['File Download', { props: { url: 'https://example.com/files/report-2026.pdf' } }],
    ])
  })

  it('records only the features the snippet names, and a 404 page once', async () => {
    setURL('https://example.com/missing')
    await run(['404'])
    click('https://partner.example/')
    expect(calls).toEqual([['404', { props: { path: '/missing' } }]])
  })

  it('does nothing while tracking is off (no attribute reader)', async () => {
    calls = []
    Object.assign(window, { fieldmark: (...args: unknown[]) => calls.push(args) })
    trackListeners()
    vi.resetModules()
    await import('./extras')
    click('https://partner.example/')
    expect(calls).toEqual([])
  })
})
