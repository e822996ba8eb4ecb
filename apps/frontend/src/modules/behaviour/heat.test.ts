import { describe, expect, it } from 'vitest'
import { cellShade } from './heat'

describe('retention cells', () => {
  it('darken with the rate, and stay clear at zero', () => {
    expect(cellShade(0)).toBe('transparent')
    expect(cellShade(null)).toBe('transparent')
    expect(cellShade(50)).toBe('color-mix(in srgb, var(--accent) 49%, transparent)')
    expect(cellShade(100)).toBe('color-mix(in srgb, var(--accent) 90%, transparent)')
    expect(cellShade(250)).toBe(cellShade(100))
  })
})
