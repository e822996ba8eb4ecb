import { describe, expect, it } from 'vitest'
import { atLeast } from './useSiteAccess'

describe('roles', () => {
  it('ranks viewer < editor < admin < owner', () => {
    expect(atLeast('viewer', 'editor')).toBe(false)
    expect(atLeast('editor', 'editor')).toBe(true)
    expect(atLeast('owner', 'admin')).toBe(true)
    expect(atLeast('admin', 'owner')).toBe(false)
    expect(atLeast(null, 'viewer')).toBe(false)
  })
})
