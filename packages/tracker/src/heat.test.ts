// The behavioural module's rules, and the module itself run against a recording `window.fieldmark`.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { generated, scrubLabel, selectorOf } from './heat'
import { setURL, trackListeners, undoListeners } from './listeners.test-helper'

describe('selectors', () => {
  it.each(['css-1x2y3z', 'sc-bdVaJa', 'Button_primary__3xK9a', 'jsx-2891654', ':r1:', 'item-123', 'ember1234'])(
    'treats %s as generated',
    (name) => expect(generated(name)).toBe(true),
  )
  it.each(['buy', 'btn-primary', 'nav__link', 'hero', 'col-6', 'signup-form'])('keeps %s', (name) =>
    expect(generated(name)).toBe(false),
  )

  it('builds a selector from the nearest stable id, stable classes and positions among siblings', () => {
    document.body.innerHTML = `
      <main id="content"><section class="plans css-9f8e7d">
        <div class="card"><button class="buy Button_x__3xK9a">One</button></div>
        <div class="card"><button class="buy">Two</button><button class="buy">Three</button></div>
      </section></main>
      <footer><a id=":r2:" class="link sc-aXZVg">Help</a></footer>`
    const buttons = document.querySelectorAll('button')
    expect(selectorOf(buttons[0])).toBe('#content > section.plans > div.card:nth-of-type(1) > button.buy')
    expect(selectorOf(buttons[2])).toBe('#content > section.plans > div.card:nth-of-type(2) > button.buy:nth-of-type(2)')
    expect(selectorOf(document.querySelector('a')!)).toBe('footer > a.link')
    for (const button of buttons) expect(document.querySelector(selectorOf(button))).toBe(button)
  })

  it('scrubs emails and digits from labels', () => {
    expect(scrubLabel('  Pay 19.90 €\n to ana.b+shop@mail.example.com ')).toBe('Pay . € to')
  })
})

describe('the module', () => {
  let batches: Record<string, unknown>[][] = []

  beforeEach(async () => {
    vi.useFakeTimers()
    batches = []
    setURL('https://example.com/pricing')
    document.body.innerHTML = `
      <button id="buy" onclick="">Buy <span>3 for 19</span></button>
      <div class="promo">Sale</div>
      <a id="docs" href="/docs">Docs</a>
      <input id="email" type="email">`
    document.querySelector('#buy')!.addEventListener('click', () => {
      document.body.setAttribute('data-bought', '1') // a working button changes the page
    })
    const fieldmark = Object.assign(() => 0, {
      a: () => null,
      e: (name: string, extra: object) => ({ n: name, u: location.href, ...extra }),
      p: (body: string) => batches.push(JSON.parse(body)),
    })
    Object.assign(window, { fieldmark })
    trackListeners()
    vi.resetModules()
    await import('./heat')
  })

  afterEach(() => {
    undoListeners()
    vi.restoreAllMocks()
    vi.unstubAllGlobals()
    vi.useRealTimers()
    delete (window as { fieldmark?: unknown }).fieldmark
  })

  function click(selector: string, x = 100, y = 200): void {
    const target = document.querySelector(selector)!
    target.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: x, clientY: y }))
  }
  const sent = (): Record<string, unknown>[] => batches.flat()

  it('records clicks with their element, and sends them in a batch a few seconds later', () => {
    click('#buy span')
    click('#docs', 400, 50)
    vi.advanceTimersByTime(1000)
    expect(sent()).toEqual([])
    vi.advanceTimersByTime(4000)
    expect(batches).toHaveLength(1)
    expect(sent()).toMatchObject([
      { n: 'click', k: 'click', s: '#buy', t: 'button', lb: 'Buy for', rg: false, dd: false },
      { n: 'click', k: 'click', s: '#docs', t: 'a', lb: 'Docs', rg: false },
    ])
    expect(sent()[0]).toHaveProperty('vw')
    expect(sent()[0]).toHaveProperty('dh')
  })

  it('flags the third click within a second and 30 px as rage, and a click that changes nothing as dead', () => {
    for (let i = 0; i < 4; i++) click('.promo', 50 + i * 5, 60)
    vi.advanceTimersByTime(1500)
    click('.promo', 50, 60) // well over a second later: a fresh click
    vi.advanceTimersByTime(5000)
    expect(sent().map((c) => [c.s, c.rg, c.dd])).toEqual([
      ['div.promo', false, true],
      ['div.promo', false, true],
      ['div.promo', true, true],
      ['div.promo', true, true],
      ['div.promo', false, true],
    ])
    expect(sent()[0].lb).toBeUndefined() // no text of other elements
  })

  it('does not call a click dead when focus moves or the page is left', () => {
    const email = document.querySelector<HTMLInputElement>('#email')!
    email.value = 'typed@secret.example'
    email.addEventListener('click', () => email.focus())
    click('#email')
    click('.promo')
    window.dispatchEvent(new Event('pagehide')) // a navigation away, within the second
    expect(sent().map((c) => [c.s, c.dd])).toEqual([
      ['#email', false],
      ['div.promo', false],
    ])
    expect(JSON.stringify(batches)).not.toContain('secret') // nothing typed is read
  })
})
