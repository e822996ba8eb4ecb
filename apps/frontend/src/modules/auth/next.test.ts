import { describe, expect, it } from 'vitest'
import { nextPath } from './next'

describe('nextPath', () => {
  it('keeps paths of this app', () => {
    expect(nextPath('/sites/1?period=7d')).toBe('/sites/1?period=7d')
    expect(nextPath('/invitations/abc')).toBe('/invitations/abc')
  })

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', undefined, ['/sites']])(
    'refuses %j, which is not a path here',
    (raw) => {
      expect(nextPath(raw)).toBe('/sites')
    },
  )
})
