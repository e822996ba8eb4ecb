// The overlay's pure parts: reading the fragment (and refusing what is not a token or an origin), the
// heat scale, and what it outlines in each view. Drawing is tested in Chromium (e2e/heatmap.e2e.ts).
import { describe, expect, it } from 'vitest'
import { boxesFor, heatColour, parseFragment } from './overlay'

const SITE = '0123456789abcdef0123456789abcdef'
const TOKEN = `fmh_${SITE}_1790000000_AbC-d_9`
const MODULE = 'https://fm.example/js/overlay.js'

describe('parseFragment', () => {
  it('reads the token, and the site it names, from the API next to the module by default', () => {
    expect(parseFragment(`#${TOKEN}`, MODULE)).toEqual({
      token: TOKEN,
      endpoint: 'https://fm.example/api/sites/01234567-89ab-cdef-0123-456789abcdef/heatmap',
      frame: null,
    })
  })

  it('takes the API and the framing dashboard from the fragment, origins only', () => {
    const found = parseFragment(`#${TOKEN}&api=${encodeURIComponent('http://127.0.0.1:8000')}&frame=http%3A%2F%2F127.0.0.1%3A8000`, 'https://shop.example/stats/js/overlay.js')
    expect(found?.endpoint).toBe('http://127.0.0.1:8000/api/sites/01234567-89ab-cdef-0123-456789abcdef/heatmap')
    expect(found?.frame).toBe('http://127.0.0.1:8000')
    // Anything but an http(s) origin is ignored.
    const odd = parseFragment(`#${TOKEN}&api=javascript:alert(1)&frame=https://a.example/path`, MODULE)
    expect(odd?.endpoint).toBe('https://fm.example/api/sites/01234567-89ab-cdef-0123-456789abcdef/heatmap')
    expect(odd?.frame).toBeNull()
  })

  it.each(['', '#', '#pricing', `#fmh_${SITE.slice(2)}_1_x`, `#fmh_${SITE}_soon_x`, `#x${TOKEN}`])('finds no token in %j', (hash) => {
    expect(parseFragment(hash, MODULE)).toBeNull()
  })
})

describe('heatColour', () => {
  it('runs from blue through green to red', () => {
    expect(heatColour(0)).toEqual([0, 0, 255])
    expect(heatColour(0.5)).toEqual([0, 255, 0])
    expect(heatColour(1)).toEqual([255, 0, 0])
    expect(heatColour(7)).toEqual([255, 0, 0])
    expect(heatColour(0.125)).toEqual([0, 128, 255])
  })
})

describe('boxesFor', () => {
  const heatmap = {
    page: '/',
    clicks: 15,
    columns: 50,
    cells: [],
    scroll: [],
    pageviews: 3,
    elements: [
      { selector: '#buy', label: 'Buy', clicks: 12, share: 80 },
      { selector: 'a.more', label: 'More', clicks: 1, share: 6.7 },
    ],
    troubles: [
      { selector: '#banner', rage: 3, dead: 4 },
      { selector: '#buy', rage: 0, dead: 1 },
    ],
  }

  it('outlines the most clicked elements with their clicks and share', () => {
    expect(boxesFor(heatmap, 'clicks')).toEqual([
      { selector: '#buy', caption: '12 clicks · 80%', kind: 'clicks' },
      { selector: 'a.more', caption: '1 click · 6.7%', kind: 'clicks' },
    ])
  })

  it('outlines the elements with rage or with dead clicks, and nothing for the scroll map', () => {
    expect(boxesFor(heatmap, 'rage')).toEqual([{ selector: '#banner', caption: '3 rage clicks', kind: 'rage' }])
    expect(boxesFor(heatmap, 'dead').map((b) => b.caption)).toEqual(['4 dead clicks', '1 dead click'])
    expect(boxesFor(heatmap, 'scroll')).toEqual([])
  })
})
